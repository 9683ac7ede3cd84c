package org.aia4j.inference.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.aia4j.inference.io.SafeTensors;
import org.junit.jupiter.api.Test;

class ModelTensorsTest {
  private static final Path FILE = Path.of("ckpt/model.safetensors");
  private static final Path CONFIG = Path.of("ckpt/config.json");
  private static final ModelConfig TINY = ModelConfig.preset("tiny");

  private static Map<String, SafeTensors.Tensor> weights(ModelConfig config) {
    Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
    ModelTensors.shapes(config).forEach((name, shape) -> {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      tensors.put(name, SafeTensors.Tensor.ofFloats(shape, new float[(int) n]));
    });
    return tensors;
  }

  private static void check(ModelConfig config, Map<String, SafeTensors.Tensor> tensors) throws IOException {
    ModelTensors.check(FILE, CONFIG, config, new SafeTensors.Contents(Map.of(), tensors));
  }

  @Test
  void theShapesAreTheReferenceModelsAndTheirCountIsKnownWithoutListingThem() throws IOException {
    ModelConfig forked = TINY.withFork(1);
    assertThat(ModelTensors.shapes(TINY)).hasSize((int) ModelTensors.count(TINY)).hasSize(29);
    assertThat(ModelTensors.shapes(forked)).hasSize((int) ModelTensors.count(forked))
        .containsKeys("gen_layers.1.mlp.down.weight", "gen_final_norm.bias").doesNotContainKey("gen_layers.0.mlp.up.bias");
    long parameters = ModelTensors.shapes(forked).values().stream()
        .mapToLong(s -> s.length == 1 ? s[0] : s[0] * s[1]).sum();
    assertThat(parameters).isEqualTo(forked.parameterCount());
    check(TINY, weights(TINY));
    check(forked, weights(forked));
  }

  @Test
  void aConfigThatDoesNotMatchItsWeightsIsRefusedNamingBothFiles() {
    ModelConfig deeper = new ModelConfig(1000, 32, 4, 64, 128, 64, 0);
    assertThatThrownBy(() -> check(deeper, weights(TINY)))
        .hasMessage(FILE + " holds 29 tensors but the model section of " + CONFIG
            + " (layers 1000, fork 1000) needs 12005; the config and the weights come from different models");
    Map<String, SafeTensors.Tensor> extra = weights(TINY);
    extra.remove("final_norm.bias");
    extra.put("layers.9.extra", SafeTensors.Tensor.ofFloats(new long[] {1}, new float[1]));
    assertThatThrownBy(() -> check(TINY, extra))
        .hasMessageStartingWith(FILE + ": tensor 'layers.9.extra' is not a parameter of the model that " + CONFIG);
    assertThatThrownBy(() -> check(TINY.withMaxLength(64), weights(TINY)))
        .hasMessage(FILE + ": tensor 'embedding.position.weight' has shape [128, 32], but the model section of "
            + CONFIG + " needs [64, 32]");
  }

  @Test
  void nonFiniteWeightsAreRefusedWithTheTensorsName() {
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      Map<String, SafeTensors.Tensor> tensors = weights(TINY);
      float[] values = new float[3 * 32 * 32];
      values[77] = bad;
      tensors.put("layers.1.attention.qkv.weight", SafeTensors.Tensor.ofFloats(new long[] {96, 32}, values));
      assertThatThrownBy(() -> check(TINY, tensors))
          .hasMessageStartingWith(FILE + ": tensor 'layers.1.attention.qkv.weight' holds " + bad + " at element 77");
    }
  }
}
