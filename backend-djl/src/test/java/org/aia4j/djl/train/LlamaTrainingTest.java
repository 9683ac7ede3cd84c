package org.aia4j.djl.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aia4j.api.model.InteractionProfile;
import org.aia4j.api.model.Task;
import org.aia4j.djl.checkpoint.Checkpoint;
import org.aia4j.djl.model.ForwardOptions;
import org.aia4j.djl.profile.InteractionProfiler;
import org.aia4j.inference.sequence.SequenceBuilder;
import org.aia4j.loss.LayerTargets;
import org.aia4j.loss.StageSchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LLaMA family through the trainer: autograd through RMSNorm, rotary embeddings, grouped-query
 * attention and SwiGLU trains both tasks, the AIA loss moves its interaction curves, and its
 * checkpoints load back to the same model.
 */
class LlamaTrainingTest {
  @TempDir
  Path tmp;

  private static TrainingConfig tinyLlama(boolean aia, int steps, long seed) {
    return TrainingPresets.config("tiny-llama", TaskMix.BOTH, aia, WorldFixture.PAPER, steps, seed);
  }

  @Test
  void tokenLossesFallOnBothTasks() {
    List<StepRecord> records = new ArrayList<>();
    try (UnifiedTrainer trainer = WorldFixture.trainer(tinyLlama(false, 40, 5))) {
      assertThat(trainer.model().config().architecture().isLlama()).isTrue();
      trainer.train(Integer.MAX_VALUE, (d, t, m) -> {}, records::add);
    }
    for (String task : List.of("und", "gen")) {
      double first = mean(records.subList(0, 5), task);
      double last = mean(records.subList(35, 40), task);
      assertThat(last).as("%s token loss %f -> %f", task, first, last).isLessThan(0.75 * first);
    }
  }

  @Test
  void aiaPullsEachTasksInteractionCurveToItsTargets() {
    double[] off = distances(false);
    double[] on = distances(true);
    for (int t = 0; t < 2; t++) {
      assertThat(on[t]).as("task %d: mean |I - T| with AIA %f, without %f", t, on[t], off[t]).isLessThan(0.5 * off[t]);
    }
  }

  private static double[] distances(boolean aia) {
    try (UnifiedTrainer trainer = WorldFixture.trainer(tinyLlama(aia, 80, 21))) {
      trainer.train(Integer.MAX_VALUE, (d, t, m) -> {}, r -> {});
      SequenceBuilder builder = new SequenceBuilder(trainer.layout(), trainer.textTokenizer(), trainer.imageTokenizer());
      InteractionProfiler profiler = new InteractionProfiler(trainer.model(), builder, trainer.manager());
      double[] result = new double[2];
      Task[] tasks = {Task.UNDERSTANDING, Task.GENERATION};
      for (int i = 0; i < 2; i++) {
        InteractionProfile profile = profiler.profile(WorldFixture.DATA, tasks[i], 64, 32);
        LayerTargets targets = StageSchedule.paperDefault().resolve(tasks[i], profile.layers());
        double sum = 0;
        for (int l = 0; l < profile.layers(); l++) {
          sum += Math.abs(profile.mean().get(l) - targets.target()[l]);
        }
        result[i] = sum / profile.layers();
      }
      return result;
    }
  }

  @Test
  void checkpointsLoadBackToTheSameModel() throws IOException {
    Path checkpoint = tmp.resolve("llama");
    float[] before;
    long[] ids = {1, 5, 9, 3, 7, 11};
    try (UnifiedTrainer trainer = WorldFixture.trainer(tinyLlama(true, 3, 2))) {
      trainer.train(Integer.MAX_VALUE, (d, t, m) -> {}, r -> {});
      Checkpoint.save(checkpoint, trainer, List.of());
      before = logits(trainer.model(), trainer.manager(), ids);
    }
    try (Checkpoint.Loaded loaded = Checkpoint.load(checkpoint)) {
      assertThat(loaded.model().config().architecture().isLlama()).isTrue();
      assertThat(logits(loaded.model(), loaded.manager(), ids)).containsExactly(before);
    }
  }

  private static float[] logits(org.aia4j.djl.model.UnifiedTransformer model, NDManager manager, long[] ids) {
    try (NDManager step = manager.newSubManager()) {
      NDArray tokens = step.create(ids, new Shape(1, ids.length)).toType(DataType.INT64, false);
      return model.forward(new ParameterStore(step, false), tokens, ForwardOptions.logitsOnly()).logits().toFloatArray();
    }
  }

  private static double mean(List<StepRecord> records, String task) {
    return records.stream().mapToDouble(r -> r.tokenLoss().get(task)).average().orElseThrow();
  }
}
