package org.aia4j.djl.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aia4j.api.model.InteractionProfile;
import org.aia4j.api.model.Task;
import org.aia4j.djl.checkpoint.Checkpoint;
import org.aia4j.djl.checkpoint.CheckpointInfo;
import org.aia4j.djl.profile.InteractionProfiler;
import org.aia4j.inference.sequence.SequenceBuilder;
import org.aia4j.loss.LayerTargets;
import org.aia4j.loss.StageSchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnifiedTrainerTest {
  @TempDir
  Path tmp;

  @Test
  void tokenLossesFallOnBothTasks() {
    List<StepRecord> records = new ArrayList<>();
    try (UnifiedTrainer trainer = WorldFixture.trainer(WorldFixture.tiny(false, 40, 5))) {
      trainer.train(Integer.MAX_VALUE, (d, t, m) -> {}, records::add);
    }
    assertThat(records).hasSize(40);
    for (String task : List.of("und", "gen")) {
      double first = mean(records.subList(0, 5), task);
      double last = mean(records.subList(35, 40), task);
      assertThat(last).as("%s token loss %f -> %f", task, first, last).isLessThan(0.75 * first);
    }
    assertThat(records.get(0).interaction().get("und")).hasSize(2);
  }

  @Test
  void stepsLeaveNoArraysBehindInTheModelsManager() {
    // Every step's temporaries must die with the step: a leak here grows native memory for
    // hours of training. Counts include sub-managers' arrays.
    try (UnifiedTrainer trainer = WorldFixture.trainer(WorldFixture.tiny(true, 8, 5))) {
      trainer.train(2, (d, t, m) -> {}, r -> {});
      int afterTwo = managedArrays(trainer.manager());
      trainer.train(Integer.MAX_VALUE, (d, t, m) -> {}, r -> {});
      assertThat(managedArrays(trainer.manager())).as("arrays after 2 and after 8 steps").isEqualTo(afterTwo);
    }
  }

  private static int managedArrays(ai.djl.ndarray.NDManager manager) {
    return manager.getManagedArrays().size();
  }

  @Test
  void aiaPullsEachTasksInteractionCurveToItsTargets() {
    // The paper's schedule at 2 layers targets und (0.1, 0.3), gen (0.4, 0.4).
    double[] off = distances(false);
    double[] on = distances(true);
    System.out.printf("mean |I - T| und %.4f -> %.4f, gen %.4f -> %.4f (AIA off -> on)%n", off[0], on[0], off[1], on[1]);
    for (int t = 0; t < 2; t++) {
      assertThat(on[t]).as("task %d: mean |I - T| with AIA %f, without %f", t, on[t], off[t]).isLessThan(0.5 * off[t]);
    }
  }

  private static double[] distances(boolean aia) {
    try (UnifiedTrainer trainer = WorldFixture.trainer(WorldFixture.tiny(aia, 80, 21))) {
      trainer.train(Integer.MAX_VALUE, (d, t, m) -> {}, r -> {});
      SequenceBuilder builder = new SequenceBuilder(trainer.layout(), trainer.textTokenizer(), trainer.imageTokenizer());
      InteractionProfiler profiler = new InteractionProfiler(trainer.model(), builder, trainer.manager());
      StageSchedule schedule = StageSchedule.paperDefault();
      double[] result = new double[2];
      Task[] tasks = {Task.UNDERSTANDING, Task.GENERATION};
      for (int i = 0; i < 2; i++) {
        InteractionProfile profile = profiler.profile(WorldFixture.DATA, tasks[i], 64, 32);
        LayerTargets targets = schedule.resolve(tasks[i], profile.layers());
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
  void bothStatisticPathsTrainTheSameWay() {
    try (UnifiedTrainer maps = WorldFixture.trainer(WorldFixture.tiny(true, 3, 4));
        UnifiedTrainer rows = WorldFixture.trainer(WorldFixture.tiny(true, 3, 4))) {
      rows.setInteractionPath(UnifiedTrainer.InteractionPath.QUERY_ROWS);
      for (int i = 0; i < 3; i++) {
        StepRecord a = maps.trainStep();
        StepRecord b = rows.trainStep();
        assertThat(b.loss()).isCloseTo(a.loss(), org.assertj.core.data.Offset.offset(1e-4));
        for (String task : List.of("und", "gen")) {
          assertThat(b.interaction().get(task)).containsExactly(a.interaction().get(task),
              org.assertj.core.data.Offset.offset(1e-5));
        }
      }
    }
  }

  @Test
  void resumingFromACheckpointGivesTheSameParametersAsOneRun() throws IOException {
    // Bit for bit, on the first try: a resume that restores anything wrong (optimizer moments,
    // data order, dropout stream, schedule) shows as a difference.
    assertThat(resumeDifference(tmp.resolve("run"))).as("first parameter that differs").isNull();
  }

  @Test
  void twoLongRunsOfOneSeedWriteByteIdenticalCheckpoints() throws IOException {
    // 3,000 steps: before the graph-memory fix (GraphMemoryTest), about 0.3% of steps took a
    // corrupted gradient at a step that changed from run to run, so no two such runs ended alike.
    List<List<StepRecord>> records = List.of(new ArrayList<>(), new ArrayList<>());
    for (int run = 0; run < 2; run++) {
      try (UnifiedTrainer trainer = WorldFixture.trainer(WorldFixture.tiny(true, LONG_RUN, 3))) {
        trainer.train(Integer.MAX_VALUE, (d, t, m) -> {}, records.get(run)::add);
        Checkpoint.save(tmp.resolve("run-" + run), trainer, List.of());
      }
    }
    for (String file : List.of("model.safetensors", "optimizer.safetensors")) {
      assertThat(Files.readAllBytes(tmp.resolve("run-1").resolve(file))).as(file)
          .isEqualTo(Files.readAllBytes(tmp.resolve("run-0").resolve(file)));
    }
    for (int i = 0; i < LONG_RUN; i++) {
      assertThat(records.get(1).get(i).gradientNorm()).as("gradient norm of step %d", i + 1)
          .isEqualTo(records.get(0).get(i).gradientNorm());
    }
    assertThat(records.get(0)).as("steps whose gradients had to be computed again")
        .noneMatch(r -> r.recomputed() > 0);
  }

  private static final int LONG_RUN = 3000;

  @Test
  void aCorruptedGradientIsComputedAgainAndCounted() {
    List<StepRecord> records = new ArrayList<>();
    try (UnifiedTrainer trainer = WorldFixture.trainer(WorldFixture.tiny(true, 40, 5))) {
      trainer.train(30, (d, t, m) -> {}, records::add);
      // The first backward pass of step 31 comes out 1e6 times too large, as a corrupted one did.
      trainer.afterBackward = attempt -> {
        if (attempt == 1 && trainer.step() == 30) {
          Parameter head = trainer.model().namedParameters().get("lm_head.weight");
          ai.djl.ndarray.NDArray gradient = head.getArray().getGradient();
          gradient.muli(1e6f);
          gradient.close();
        }
      };
      trainer.train(Integer.MAX_VALUE, (d, t, m) -> {}, records::add);
    }
    StepRecord hit = records.get(30);
    assertThat(hit.recomputed()).isEqualTo(1);
    double median = records.subList(10, 30).stream().mapToDouble(StepRecord::gradientNorm).sorted().toArray()[10];
    assertThat(hit.gradientNorm()).as("the norm used is the recomputed one").isLessThan(100 * median);
    assertThat(records).filteredOn(r -> r.step() != 31).allMatch(r -> r.recomputed() == 0);
  }

  /** Trains 12 steps straight and 6 + 6 with a checkpoint between; null if bit-identical, else what differs. */
  private static String resumeDifference(Path checkpoint) throws IOException {
    Map<String, float[]> straight;
    try (UnifiedTrainer trainer = WorldFixture.trainer(WorldFixture.tiny(true, 12, 8))) {
      trainer.train(Integer.MAX_VALUE, (d, t, m) -> {}, r -> {});
      straight = parameters(trainer);
    }
    try (UnifiedTrainer first = WorldFixture.trainer(WorldFixture.tiny(true, 12, 8))) {
      assertThat(first.train(6, (d, t, m) -> {}, r -> {})).isEqualTo(6);
      Checkpoint.save(checkpoint, first, List.of());
    }
    CheckpointInfo info = Checkpoint.read(checkpoint);
    assertThat(info.step()).isEqualTo(6);
    assertThat(info.training().steps()).isEqualTo(12);
    String difference = null;
    try (UnifiedTrainer resumed = Checkpoint.resume(checkpoint, WorldFixture.DATA, null)) {
      assertThat(resumed.train(Integer.MAX_VALUE, (d, t, m) -> {}, r -> {})).isEqualTo(6);
      Map<String, float[]> continued = parameters(resumed);
      for (String name : straight.keySet()) {
        if (difference == null && !Arrays.equals(continued.get(name), straight.get(name))) {
          difference = name;
        }
      }
      Checkpoint.save(checkpoint, resumed, Checkpoint.metrics(checkpoint));
    }
    List<String> metrics = Files.readAllLines(checkpoint.resolve(Checkpoint.METRICS));
    assertThat(metrics).hasSize(12);
    JsonNode last = new ObjectMapper().readTree(metrics.get(11));
    assertThat(last.get("step").asInt()).isEqualTo(12);
    assertThat(last.at("/interaction/gen")).hasSize(2);
    assertThat(last.has("tokens_per_s")).isTrue();
    assertThat(last.get("recomputed").asInt()).isZero();
    return difference;
  }

  @Test
  void checkpointsRecordProvenanceAndRefuseCorruption() throws IOException {
    Path checkpoint = tmp.resolve("ckpt");
    try (UnifiedTrainer trainer = WorldFixture.trainer(WorldFixture.tiny(false, 2, 3))) {
      trainer.train(Integer.MAX_VALUE, (d, t, m) -> {}, r -> {});
      Checkpoint.save(checkpoint, trainer, List.of());
    }
    JsonNode config = new ObjectMapper().readTree(checkpoint.resolve(Checkpoint.CONFIG).toFile());
    assertThat(config.at("/training/seed").asLong()).isEqualTo(3);
    assertThat(config.at("/training/tasks").asText()).isEqualTo("both");
    assertThat(config.at("/provenance/djl").asText()).isEqualTo("0.32.0");
    assertThat(config.get("data").asText()).startsWith("world(");
    try (Checkpoint.Loaded loaded = Checkpoint.load(checkpoint)) {
      assertThat(loaded.model().config().layers()).isEqualTo(2);
    }

    byte[] weights = Files.readAllBytes(checkpoint.resolve(Checkpoint.MODEL));
    Files.write(checkpoint.resolve(Checkpoint.MODEL), java.util.Arrays.copyOf(weights, weights.length - 100));
    assertThatThrownBy(() -> Checkpoint.load(checkpoint)).isInstanceOf(IOException.class)
        .hasMessageContaining("model.safetensors is corrupted or truncated");
    assertThatThrownBy(() -> Checkpoint.load(tmp.resolve("nothing"))).hasMessageContaining("directory is missing");
    Files.createDirectories(tmp.resolve("other"));
    Files.writeString(tmp.resolve("other/config.json"), "{\"format\": \"onnx-export\"}");
    org.aia4j.api.checkpoint.Manifest.write(tmp.resolve("other"));
    assertThatThrownBy(() -> Checkpoint.load(tmp.resolve("other"))).hasMessageContaining("format is 'onnx-export'");
  }

  @Test
  void badConfigurationsAreRefusedBeforeTraining() {
    assertThatThrownBy(() -> TrainingPresets.config("huge", TaskMix.BOTH, true, WorldFixture.PAPER, 1, 0))
        .hasMessageContaining("Unknown preset 'huge'. Known presets: tiny, small");
    JsonNode thirtyLayers = StageSchedule.fromJson("{\"mode\":\"absolute\",\"layers\":30,"
        + "\"generation\":{\"stages\":[{\"from\":0,\"to\":30,\"delta\":0.1,\"target\":0.4}]},"
        + "\"understanding\":{\"stages\":[{\"from\":0,\"to\":30,\"delta\":0.1,\"target\":0.2}]}}").toJson();
    assertThatThrownBy(() -> WorldFixture.trainer(TrainingPresets.config("tiny", TaskMix.BOTH, true, thirtyLayers, 1, 0)))
        .hasMessageContaining("schedule is for 30 layers, model has 2");
    assertThatThrownBy(() -> TaskMix.parse("all")).hasMessageContaining("Use both, und or gen");
  }

  @Test
  void expertsTrainOneTaskOnly() {
    List<StepRecord> records = new ArrayList<>();
    try (UnifiedTrainer trainer = WorldFixture.trainer(TrainingPresets.config("tiny", TaskMix.GENERATION, false,
        WorldFixture.PAPER, 2, 1))) {
      trainer.train(Integer.MAX_VALUE, (d, t, m) -> {}, records::add);
    }
    assertThat(records.get(0).tokenLoss()).containsOnlyKeys("gen");
  }

  private static double mean(List<StepRecord> records, String task) {
    return records.stream().mapToDouble(r -> r.tokenLoss().get(task)).average().orElseThrow();
  }

  private static Map<String, float[]> parameters(UnifiedTrainer trainer) {
    Map<String, float[]> values = new LinkedHashMap<>();
    for (Map.Entry<String, Parameter> e : trainer.model().namedParameters().entrySet()) {
      values.put(e.getKey(), e.getValue().getArray().toFloatArray());
    }
    return values;
  }
}
