package org.aia4j.djl.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.nn.Parameter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aia4j.api.model.Task;
import org.aia4j.djl.checkpoint.Checkpoint;
import org.aia4j.djl.profile.AlignmentProfiler;
import org.aia4j.inference.profile.AlignmentCurve;
import org.aia4j.inference.sequence.SequenceBuilder;
import org.aia4j.djl.checkpoint.CheckpointInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training, checkpointing and fine-tuning the Y-shaped (UniFork) model. */
class UniForkTrainingTest {
  @TempDir
  Path tmp;

  @Test
  void theBranchesDivergeUnderTrainingAndSurviveACheckpoint() throws IOException {
    Path checkpoint = tmp.resolve("unifork");
    Map<String, float[]> trained;
    try (UnifiedTrainer trainer = WorldFixture.trainer(WorldFixture.tiny(true, 6, 4).withFork(1))) {
      assertThat(trainer.model().config().fork()).isEqualTo(1);
      Map<String, float[]> initial = parameters(trainer);
      assertThat(initial.get("gen_layers.1.attention.qkv.weight"))
          .containsExactly(initial.get("layers.1.attention.qkv.weight"));
      List<StepRecord> records = new java.util.ArrayList<>();
      trainer.train(Integer.MAX_VALUE, (d, t, m) -> {}, records::add);
      // AIA per branch: a curve over every layer of each task's path.
      assertThat(records.get(5).interaction().get("und")).hasSize(2);
      assertThat(records.get(5).interaction().get("gen")).hasSize(2);
      trained = parameters(trainer);
      for (String p : List.of("attention.qkv.weight", "mlp.up.weight")) {
        double apart = maxDifference(trained.get("gen_layers.1." + p), trained.get("layers.1." + p));
        // Each branch learns from its own task only: after 6 steps at lr 3e-3 they are well apart.
        assertThat(apart).as(p).isGreaterThan(1e-3);
      }
      assertThat(maxDifference(trained.get("gen_final_norm.weight"), trained.get("final_norm.weight")))
          .isGreaterThan(1e-3);
      // The alignment analysis runs each task through its branch: one score in [0, 1] per layer.
      SequenceBuilder builder = new SequenceBuilder(trainer.layout(), trainer.textTokenizer(), trainer.imageTokenizer());
      AlignmentProfiler profiler = new AlignmentProfiler(trainer.model(), builder, trainer.manager());
      for (Task task : Task.values()) {
        AlignmentCurve curve = profiler.profile(WorldFixture.DATA, task, 24, 5, 12);
        assertThat(curve.perLayer()).hasSize(2).allSatisfy(v -> assertThat(v).isBetween(0.0, 1.0));
      }
      assertThatThrownBy(() -> profiler.profile(WorldFixture.DATA, Task.GENERATION, 8, 8, 8))
          .hasMessage("--k must be in [1, samples - 1] = [1, 7], got 8");
      Checkpoint.save(checkpoint, trainer, List.of());
    }
    CheckpointInfo info = Checkpoint.read(checkpoint);
    assertThat(info.model().fork()).isEqualTo(1);
    assertThat(info.training().fork()).isEqualTo(1);
    assertThat(Files.readString(checkpoint.resolve(Checkpoint.CONFIG))).contains("\"fork\" : 1");
    try (Checkpoint.Loaded loaded = Checkpoint.load(checkpoint)) {
      Map<String, Parameter> params = loaded.model().namedParameters();
      assertThat(params.keySet()).containsExactlyElementsOf(trained.keySet());
      for (String name : trained.keySet()) {
        assertThat(params.get(name).getArray().toFloatArray()).as(name).containsExactly(trained.get(name));
      }
    }
  }

  @Test
  void aSharedBaseForksWithItsDeepLayersCopied() throws IOException {
    Path base = tmp.resolve("base");
    try (UnifiedTrainer trainer = WorldFixture.trainer(WorldFixture.tiny(false, 2, 6))) {
      trainer.train(Integer.MAX_VALUE, (d, t, m) -> {}, r -> {});
      Checkpoint.save(base, trainer, List.of());
    }
    try (UnifiedTrainer forked = Checkpoint.fineTune(base, WorldFixture.tiny(false, 2, 6).withFork(1),
        WorldFixture.DATA); Checkpoint.Loaded shared = Checkpoint.load(base)) {
      Map<String, float[]> p = parameters(forked);
      Map<String, Parameter> q = shared.model().namedParameters();
      for (String name : q.keySet()) {
        assertThat(p.get(name)).as(name).containsExactly(q.get(name).getArray().toFloatArray());
      }
      assertThat(p.get("gen_layers.1.mlp.down.weight")).containsExactly(p.get("layers.1.mlp.down.weight"));
      assertThat(p.get("gen_final_norm.bias")).containsExactly(p.get("final_norm.bias"));
    }
  }

  @Test
  void anExpertOfOneTaskLeavesTheOtherBranchAlone() {
    try (UnifiedTrainer trainer = WorldFixture.trainer(TrainingPresets.config("tiny", TaskMix.UNDERSTANDING, false,
        WorldFixture.PAPER, 2, 1).withFork(1))) {
      Map<String, float[]> before = parameters(trainer);
      trainer.train(Integer.MAX_VALUE, (d, t, m) -> {}, r -> {});
      Map<String, float[]> after = parameters(trainer);
      // The unused branch gets zero gradients: only AdamW's weight decay (lr 3e-3 x 0.01 per step) moves it.
      assertThat(maxDifference(after.get("gen_layers.1.mlp.up.weight"), before.get("gen_layers.1.mlp.up.weight")))
          .isLessThan(1e-5);
      assertThat(after.get("gen_final_norm.weight")).containsExactly(before.get("gen_final_norm.weight"));
      assertThat(maxDifference(after.get("layers.1.mlp.up.weight"), before.get("layers.1.mlp.up.weight")))
          .isGreaterThan(1e-3);
    }
  }

  @Test
  void badForksAreRefusedWithTheirReason() {
    assertThatThrownBy(() -> WorldFixture.tiny(false, 1, 0).withFork(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fork (--fork) must be >= 0 (the number of shared layers), got -1");
    assertThatThrownBy(() -> WorldFixture.trainer(WorldFixture.tiny(false, 1, 0).withFork(3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fork (the number of shared layers) must be <= layers (2), got 3");
  }

  private static Map<String, float[]> parameters(UnifiedTrainer trainer) {
    Map<String, float[]> out = new LinkedHashMap<>();
    trainer.model().namedParameters().forEach((name, p) -> out.put(name, p.getArray().toFloatArray()));
    return out;
  }

  private static double maxDifference(float[] a, float[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
