package org.aia4j.inference.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
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
    // Too large for a core's cache: 100 MB of float32 weights.
    assertThat(ModelConfig.preset("medium").withVocabSize(400).parameterCount()).isBetween(24_000_000L, 27_000_000L);
    // The conflict experiment's model: half the width of small, a quarter of its parameters.
    ModelConfig narrow = ModelConfig.preset("narrow");
    assertThat(narrow.layers()).isEqualTo(4);
    assertThat(narrow.width()).isEqualTo(64);
    assertThat(narrow.headDim()).isEqualTo(16);
    assertThat(narrow.withVocabSize(400).parameterCount()).isBetween(200_000L, 300_000L);
    assertThat(ModelConfig.presetNames()).containsExactly("tiny", "small", "narrow", "medium", "small-llama", "tiny-llama");
  }

  @Test
  void unknownPresetListsTheKnownOnes() {
    assertThatThrownBy(() -> ModelConfig.preset("huge"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unknown model preset 'huge'. Known presets: tiny, small, narrow, medium, small-llama, tiny-llama");
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

  /** A hostile config.json is refused before anything is allocated for it. */
  @Test
  void sizesAreBoundedSoNoConfigAllocatesAModelNoFileCouldHold() {
    assertThatThrownBy(() -> new ModelConfig(1_000_000, 32, 4, 64, 64, 64, 0))
        .hasMessage("layers must be <= 1024, got 1000000");
    assertThatThrownBy(() -> new ModelConfig(Integer.MAX_VALUE, 32, 4, 64, 64, 64, 0))
        .hasMessage("layers must be <= 1024, got 2147483647");
    assertThatThrownBy(() -> new ModelConfig(2, 1 << 20, 4, 64, 64, 64, 0))
        .hasMessage("width must be <= 65536, got 1048576");
    assertThatThrownBy(() -> new ModelConfig(2, 32, 4, 64, Integer.MAX_VALUE, 64, 0))
        .hasMessage("maxLength must be <= 1048576, got 2147483647");
    assertThatThrownBy(() -> new ModelConfig(2, 32, 4, 64, 64, Integer.MAX_VALUE, 0))
        .hasMessage("vocabSize must be <= 16777216, got 2147483647");
    // Each field within bounds, their product not.
    assertThatThrownBy(() -> new ModelConfig(1024, 65536, 4, 64, 64, 64, 0))
        .hasMessageContaining("parameters, more than the 4294967296 this library can load");
    assertThatThrownBy(() -> ModelConfig.fromJson(ModelConfig.preset("tiny").toJson()
        .replace("\"layers\" : 2", "\"layers\" : 1000000")))
        .hasMessage("Invalid model config: layers must be <= 1024, got 1000000");
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

  @Test
  void forkDefaultsToTheSharedModelAndIsValidated() {
    ModelConfig shared = ModelConfig.preset("small");
    assertThat(shared.fork()).isEqualTo(4);
    assertThat(shared.forked()).isFalse();
    ModelConfig unifork = shared.withFork(2);
    assertThat(unifork.forked()).isTrue();
    // Two more layers and one more final norm: 2 x (4 x 128 x 128 + 2 x 128 x 512 + 9 x 128 + 512) + 2 x 128.
    long perLayer = 4L * 128 * 128 + 2L * 128 * 512 + 9L * 128 + 512;
    assertThat(unifork.parameterCount() - shared.parameterCount()).isEqualTo(2 * perLayer + 2 * 128);
    assertThat(unifork.parametersPerTask()).isEqualTo(shared.parameterCount());
    assertThatThrownBy(() -> shared.withFork(5))
        .hasMessage("fork (the number of shared layers) must be <= layers (4), got 5");
    assertThatThrownBy(() -> shared.withFork(-1))
        .hasMessage("fork (the number of shared layers) must be >= 0, got -1");
  }

  @Test
  void configsWrittenBeforeTheForkLoadUnforked() {
    ModelConfig forked = ModelConfig.preset("small").withVocabSize(372).withFork(1);
    assertThat(forked.toJson()).contains("\"fork\" : 1");
    assertThat(ModelConfig.fromJson(forked.toJson())).isEqualTo(forked);
    String old = "{\"layers\":4,\"width\":128,\"heads\":4,\"mlpWidth\":512,\"maxLength\":256,"
        + "\"vocabSize\":372,\"seed\":0}";
    assertThat(ModelConfig.fromJson(old)).isEqualTo(ModelConfig.preset("small").withVocabSize(372));
    assertThatThrownBy(() -> ModelConfig.fromJson(old.replace("}", ",\"fork\":9}")))
        .hasMessage("Invalid model config: fork (the number of shared layers) must be <= layers (4), got 9");
  }

  @Test
  void llamaFamilyRoundTripsAndCountsItsParameters() {
    ModelConfig llama = ModelConfig.preset("small-llama").withVocabSize(400);
    assertThat(llama.architecture()).isEqualTo(Architecture.llama(2, 1e-5, 500_000, false));
    assertThat(llama.kvHeads()).isEqualTo(2);
    String json = llama.toJson();
    assertThat(json).contains("\"family\" : \"llama\"", "\"kvHeads\" : 2", "\"ropeTheta\" : 500000.0");
    assertThat(ModelConfig.fromJson(json)).isEqualTo(llama);
    // By hand: embedding 400 x 128; per layer two norms (2 x 128), q and o (2 x 128^2), k and v
    // (2 x 64 x 128, two heads of 32), gate, up and down (3 x 128 x 344); final norm; head 400 x 128.
    long perLayer = 2 * 128 + 2 * 128 * 128 + 2 * 64 * 128 + 3 * 128 * 344;
    assertThat(llama.parameterCount()).isEqualTo(400 * 128 + 4 * perLayer + 128 + 400 * 128);
    // The same count as the tensors the family's checkpoints hold, tied or not, forked or not.
    for (ModelConfig c : List.of(llama, llama.withFork(2), tied(llama), ModelConfig.preset("small").withFork(1))) {
      long fromShapes = ModelTensors.shapes(c).values().stream()
          .mapToLong(shape -> Arrays.stream(shape).reduce(1, (a, b) -> a * b)).sum();
      assertThat(fromShapes).as("%s", c).isEqualTo(c.parameterCount());
      assertThat(ModelTensors.shapes(c)).as("%s", c).hasSize((int) ModelTensors.count(c));
    }
    assertThat(ModelTensors.shapes(tied(llama))).doesNotContainKey("lm_head.weight");
  }

  private static ModelConfig tied(ModelConfig c) {
    Architecture a = c.architecture();
    return new ModelConfig(c.layers(), c.width(), c.heads(), c.mlpWidth(), c.maxLength(), c.vocabSize(), c.seed(),
        c.fork(), Architecture.llama(a.kvHeads(), a.normEps(), a.ropeTheta(), true));
  }

  @Test
  void configsWrittenBeforeFamiliesAreGpt() {
    String old = ModelConfig.preset("small").toJson().replaceAll(",\\s*\"architecture\"\\s*:\\s*\\{[^}]*\\}", "");
    assertThat(old).doesNotContain("architecture");
    assertThat(ModelConfig.fromJson(old).architecture()).isEqualTo(Architecture.GPT);
    assertThat(ModelConfig.fromJson(old)).isEqualTo(ModelConfig.preset("small"));
  }

  @Test
  void qkNormIsWrittenOnlyWhenOnAndCountsItsParameters() {
    ModelConfig plain = ModelConfig.preset("tiny-llama");
    ModelConfig chameleon = new ModelConfig(2, 32, 4, 64, 128, 64, 0, 2, plain.architecture().withQkNorm(true));
    assertThat(plain.toJson()).doesNotContain("qkNorm");
    assertThat(chameleon.toJson()).contains("\"qkNorm\" : true");
    assertThat(ModelConfig.fromJson(chameleon.toJson())).isEqualTo(chameleon);
    assertThat(ModelConfig.fromJson(plain.toJson())).isEqualTo(plain);
    // Per layer: a (heads, headDim) weight and bias for queries, a (kvHeads, headDim) pair for keys.
    long perLayer = 2L * 4 * 8 + 2L * 2 * 8;
    assertThat(chameleon.parameterCount() - plain.parameterCount()).isEqualTo(2 * perLayer);
    long listed = ModelTensors.shapes(chameleon).values().stream()
        .mapToLong(shape -> Arrays.stream(shape).reduce(1, (a, b) -> a * b)).sum();
    assertThat(listed).isEqualTo(chameleon.parameterCount());
    assertThat(ModelTensors.shapes(chameleon)).hasSize((int) ModelTensors.count(chameleon));
    assertThat(ModelTensors.shapes(chameleon).get("layers.1.attention.k_norm.bias")).containsExactly(2, 8);
    assertThatThrownBy(() -> Architecture.GPT.withQkNorm(true)).hasMessageContaining("qkNorm true");
  }

  @Test
  void llamaFamilyRefusesInconsistentHeads() {
    assertThatThrownBy(() -> new ModelConfig(2, 32, 4, 64, 64, 64, 0, 2, Architecture.llama(3, 1e-5, 1e4, false)))
        .hasMessage("heads (4) must be a multiple of kvHeads (3)");
    assertThatThrownBy(() -> new ModelConfig(2, 36, 4, 64, 64, 64, 0, 2, Architecture.llama(2, 1e-5, 1e4, false)))
        .hasMessage("The rotary embedding needs an even head width, got width / heads = 9");
    assertThatThrownBy(() -> Architecture.llama(2, 1e-5, 1.0, false))
        .hasMessage("ropeTheta must be a finite number > 1, got 1.0");
    assertThatThrownBy(() -> new Architecture(Architecture.Family.GPT, 2, 1e-5, 0, false, false))
        .hasMessageStartingWith("The gpt family has no kvHeads");
    assertThatThrownBy(() -> ModelConfig.fromJson(ModelConfig.preset("tiny-llama").toJson().replace("llama", "mistral")))
        .hasMessageContaining("Unknown model family 'mistral'. Known families: gpt, llama");
  }
}
