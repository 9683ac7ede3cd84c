package org.aia4j.evaluation.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.aia4j.api.model.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingHistoryTest {
  @TempDir
  Path tmp;

  @Test
  void readsStepRecordsPerTaskIncludingNaN() throws IOException {
    Path metrics = tmp.resolve("metrics.jsonl");
    Files.writeString(metrics, """
        {"step":1,"lr":0.001,"loss":3.0,"ntp":{"und":2.0,"gen":4.0},"aia":{"und":0.5,"gen":0.1},"interaction":{"und":[0.5,0.6],"gen":[0.3,0.2]}}

        {"step":2,"lr":0.001,"loss":NaN,"ntp":{"und":NaN,"gen":3.0},"aia":{"und":0.4,"gen":0.1},"interaction":{"und":[0.4,0.5],"gen":[0.3,0.1]}}
        {"step":3,"lr":0.001,"loss":2.0,"ntp":{"gen":2.0},"aia":{"gen":0.05},"interaction":{"gen":[0.35,0.15]}}
        """);
    TrainingHistory history = TrainingHistory.read(metrics);
    assertThat(history.tokenLoss().get(Task.UNDERSTANDING).steps()).containsExactly(1, 2);
    assertThat(history.tokenLoss().get(Task.GENERATION).values()).containsExactly(4, 3, 2);
    assertThat(history.tokenLoss().get(Task.UNDERSTANDING).tailMean(5)).as("NaN skipped").isEqualTo(2.0);
    assertThat(history.lastInteraction().get(Task.GENERATION)).containsExactly(0.35, 0.15);
    assertThat(history.lastInteraction().get(Task.UNDERSTANDING)).containsExactly(0.4, 0.5);
    assertThat(history.recomputedSteps()).isZero();
    assertThat(history.skippedUpdates()).isZero();
  }

  @Test
  void countsRecomputedStepsAndSkippedUpdates() throws IOException {
    Path metrics = tmp.resolve("metrics.jsonl");
    Files.writeString(metrics, """
        {"step":1,"loss":3.0,"grad_norm":1.5,"recomputed":0}
        {"step":2,"loss":3.0,"grad_norm":1.2,"recomputed":1}
        {"step":3,"loss":3.0,"grad_norm":"NaN","recomputed":2}
        {"step":4,"loss":3.0,"grad_norm":NaN,"recomputed":2}
        {"step":5,"loss":3.0,"grad_norm":1.1}
        """);
    TrainingHistory history = TrainingHistory.read(metrics);
    assertThat(history.recomputedSteps()).isEqualTo(3);
    assertThat(history.skippedUpdates()).isEqualTo(2);
  }

  @Test
  void smoothingIsACentredMovingAverage() {
    TrainingHistory.Series series = new TrainingHistory.Series(new double[] {1, 2, 3, 4}, new double[] {4, 2, 6, 0});
    assertThat(series.smoothed(3).values()).containsExactly(new double[] {3, 4, 8 / 3.0, 3}, within(1e-12));
    assertThat(series.smoothed(2).values()).as("even: one more after").containsExactly(3, 4, 3, 0);
    assertThat(series.smoothed(1)).isEqualTo(series);
    assertThat(series.smoothed(10).values()[3]).isCloseTo(3.0, within(1e-12));
    assertThat(series.tailMean(2)).isEqualTo(3.0);
  }
}
