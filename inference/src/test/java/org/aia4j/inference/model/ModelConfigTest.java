package org.aia4j.inference.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ModelConfigTest {

  @Test
  void presets() {
    ModelConfig small = ModelConfig.preset("small");
    assertThat(small.layers()).isEqualTo(4);
    assertThat(small.width()).isEqualTo(128);
    assertThat(small.heads()).isEqualTo(4);
    assertThat(small.headDim()).isEqualTo(32);
    // DESIGN section 6: about 0.9 M parameters at a vocabulary of a few hundred.
    assertThat(small.withVocabSize(400).parameterCount()).isBetween(800_000L, 1_000_000L);
    assertThat(ModelConfig.preset("tiny").layers()).isEqualTo(2);
    assertThat(ModelConfig.presetNames()).containsExactly("tiny", "small");
  }

  @Test
  void unknownPresetListsTheKnownOnes() {
    assertThatThrownBy(() -> ModelConfig.preset("huge"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unknown model preset 'huge'. Known presets: tiny, small");
  }

  @Test
  void validationNamesTheField() {
    assertThatThrownBy(() -> new ModelConfig(0, 32, 4, 64, 64, 64, 0)).hasMessage("layers must be >= 1, got 0");
    assertThatThrownBy(() -> new ModelConfig(2, 30, 4, 64, 64, 64, 0))
        .hasMessage("width (30) must be a multiple of heads (4)");
    assertThatThrownBy(() -> new ModelConfig(2, 32, 0, 64, 64, 64, 0)).hasMessage("heads must be >= 1, got 0");
    assertThatThrownBy(() -> new ModelConfig(2, 32, 4, -1, 64, 64, 0)).hasMessage("mlpWidth must be >= 1, got -1");
    assertThatThrownBy(() -> new ModelConfig(2, 32, 4, 64, 1, 64, 0)).hasMessage("maxLength must be >= 2, got 1");
    assertThatThrownBy(() -> new ModelConfig(2, 32, 4, 64, 64, 1, 0)).hasMessage("vocabSize must be >= 2, got 1");
  }

  @Test
  void jsonRoundTripAndErrors() {
    ModelConfig config = ModelConfig.preset("small").withVocabSize(372).withSeed(42);
    String json = config.toJson();
    assertThat(json).contains("\"layers\" : 4", "\"vocabSize\" : 372", "\"seed\" : 42").doesNotContain("headDim");
    assertThat(ModelConfig.fromJson(json)).isEqualTo(config);
    assertThatThrownBy(() -> ModelConfig.fromJson(json.replace("\"width\" : 128", "\"width\" : 130")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid model config: width (130) must be a multiple of heads (4)");
    assertThatThrownBy(() -> ModelConfig.fromJson(json.replace("\"seed\" : 42", "\"seed\" : 42, \"depth\" : 3")))
        .hasMessageContaining("Invalid model config")
        .hasMessageContaining("depth");
    assertThatThrownBy(() -> ModelConfig.fromJson(json.replace("\"seed\"", "\"sead\"")))
        .hasMessageContaining("Missing creator property 'seed'");
    assertThatThrownBy(() -> ModelConfig.fromJson("{\"layers\": 2}"))
        .hasMessageContaining("Invalid model config")
        .hasMessageContaining("width");
  }
}
