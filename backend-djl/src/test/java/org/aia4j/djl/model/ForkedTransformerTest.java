package org.aia4j.djl.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.Map;
import java.util.Random;
import org.aia4j.api.model.Task;
import org.aia4j.inference.model.ModelConfig;
import org.junit.jupiter.api.Test;

/** The Y-shaped (UniFork) model: shared layers [0, fork), then a branch per task. */
class ForkedTransformerTest {

  private static final ModelConfig SHARED = new ModelConfig(3, 32, 4, 48, 24, 40, 11);

  @Test
  void forkAtFullDepthIsTheSharedModel() {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      UnifiedTransformer shared = new UnifiedTransformer(SHARED);
      shared.initialize(manager);
      UnifiedTransformer same = new UnifiedTransformer(SHARED.withFork(3));
      same.initialize(manager);
      assertThat(same.namedParameters().keySet()).containsExactlyElementsOf(shared.namedParameters().keySet());
      ParameterStore ps = new ParameterStore(manager, false);
      NDArray tokens = UnifiedTransformerTest.toArray(manager,
          UnifiedTransformerTest.randomTokens(new Random(2), 2, 20, 40));
      float[] reference = shared.forward(ps, tokens, ForwardOptions.logitsOnly()).logits().toFloatArray();
      for (Task task : Task.values()) {
        // Same parameters, same operations: bit-identical logits whatever the task.
        assertThat(same.forward(ps, tokens, ForwardOptions.logitsOnly().forTask(task)).logits().toFloatArray())
            .as(task.toString()).containsExactly(reference);
      }
    }
  }

  @Test
  void theGenerationBranchStartsAsACopyAndIsPickedByTask() {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      UnifiedTransformer shared = new UnifiedTransformer(SHARED);
      shared.initialize(manager);
      UnifiedTransformer forked = new UnifiedTransformer(SHARED.withFork(1));
      forked.initialize(manager);
      Map<String, Parameter> params = forked.namedParameters();
      assertThat(params).containsKeys("layers.0.attention.qkv.weight", "layers.2.mlp.down.weight",
          "gen_layers.1.attention.qkv.weight", "gen_layers.2.mlp.down.weight", "gen_final_norm.weight",
          "gen_final_norm.bias").doesNotContainKeys("gen_layers.0.attention.qkv.weight", "gen_lm_head.weight");
      assertThat(params).hasSize(shared.namedParameters().size() + 2 * 12 + 2);
      long scalars = params.values().stream().mapToLong(p -> p.getArray().size()).sum();
      assertThat(scalars).isEqualTo(SHARED.withFork(1).parameterCount());
      assertThat(params.get("gen_layers.2.mlp.up.weight").getArray().toFloatArray())
          .containsExactly(params.get("layers.2.mlp.up.weight").getArray().toFloatArray());

      ParameterStore ps = new ParameterStore(manager, false);
      NDArray tokens = UnifiedTransformerTest.toArray(manager,
          UnifiedTransformerTest.randomTokens(new Random(3), 2, 16, 40));
      float[] reference = shared.forward(ps, tokens, ForwardOptions.logitsOnly()).logits().toFloatArray();
      assertThat(forked.forward(ps, tokens, ForwardOptions.logitsOnly().forTask(Task.GENERATION)).logits().toFloatArray())
          .containsExactly(reference);

      // Move the generation branch: understanding logits stay, generation logits change.
      NDArray gen = params.get("gen_layers.2.mlp.down.weight").getArray();
      gen.set(gen.add(0.05f).toFloatArray());
      NDArray gelu = params.get("gen_final_norm.bias").getArray();
      gelu.set(gelu.add(0.1f).toFloatArray());
      assertThat(forked.forward(ps, tokens, ForwardOptions.logitsOnly().forTask(Task.UNDERSTANDING)).logits().toFloatArray())
          .containsExactly(reference);
      float[] moved = forked.forward(ps, tokens, ForwardOptions.logitsOnly().forTask(Task.GENERATION)).logits().toFloatArray();
      assertThat(maxDifference(moved, reference)).isGreaterThan(1e-3);

      // The KV-cache forward runs the same branch: prompt then one token at a time, within 1e-5.
      ForwardOutput full = forked.forward(ps, tokens, ForwardOptions.capturing(Capture.PROBABILITIES).forTask(Task.GENERATION));
      assertThat(full.attentions()).hasSize(3);
      try (KvCache cache = new KvCache(manager, 3)) {
        float[] prompt = forked.forward(ps, tokens.get(new NDIndex(":, :10")), cache,
            ForwardOptions.logitsOnly().forTask(Task.GENERATION)).logits().toFloatArray();
        float[] expected = full.logits().get(new NDIndex(":, :10, :")).toFloatArray();
        assertThat(maxDifference(prompt, expected)).isLessThan(1e-5);
        for (int t = 10; t < 16; t++) {
          float[] step = forked.forward(ps, tokens.get(new NDIndex(":, {}:{}", t, t + 1)), cache,
              ForwardOptions.logitsOnly().forTask(Task.GENERATION)).logits().toFloatArray();
          assertThat(maxDifference(step, full.logits().get(new NDIndex(":, {}, :", t)).toFloatArray()))
              .as("position %d", t).isLessThan(1e-5);
        }
      }

      assertThatThrownBy(() -> forked.forward(ps, tokens, ForwardOptions.logitsOnly()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("A forked model (fork 1 of 3 layers) needs the task to choose its branch");
    }
  }

  static double maxDifference(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
