package org.aia4j.inference.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.aia4j.testkit.PythonFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HfConfigTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  static Path fixture() throws Exception {
    return PythonFixtures.tinyLlama();
  }

  private ObjectNode minimal(String type) {
    ObjectNode c = JSON.createObjectNode();
    c.put("model_type", type);
    c.put("vocab_size", 100);
    c.put("hidden_size", 64);
    c.put("intermediate_size", 128);
    c.put("num_hidden_layers", 3);
    c.put("num_attention_heads", 8);
    c.put("rms_norm_eps", 1e-6);
    c.put("max_position_embeddings", 256);
    return c;
  }

  private Path write(ObjectNode config) throws IOException {
    Path file = dir.resolve("config.json");
    JSON.writeValue(file.toFile(), config);
    return file;
  }

  @Test
  void readsTheTinyLlama() throws Exception {
    HfConfig c = HfConfig.read(fixture());
    assertThat(c.modelType()).isEqualTo("llama");
    assertThat(c.vocabSize()).isEqualTo(64);
    assertThat(c.hiddenSize()).isEqualTo(32);
    assertThat(c.intermediateSize()).isEqualTo(48);
    assertThat(c.numHiddenLayers()).isEqualTo(2);
    assertThat(c.numAttentionHeads()).isEqualTo(4);
    assertThat(c.numKeyValueHeads()).isEqualTo(2);
    assertThat(c.headDim()).isEqualTo(8);
    assertThat(c.rmsNormEps()).isEqualTo(1e-5);
    assertThat(c.ropeTheta()).isEqualTo(500000.0);
    assertThat(c.maxPositionEmbeddings()).isEqualTo(128);
    assertThat(c.tieWordEmbeddings()).isFalse();
    assertThat(c.qkLayernorm()).isFalse();
    assertThat(c.torchDtype()).contains("bfloat16");
    assertThat(c.bosTokenId()).hasValue(1);
    assertThat(c.eosTokenIds()).containsExactly(2);
    assertThat(c.file()).isEqualTo(fixture().resolve("config.json"));
  }

  @Test
  void optionalFieldsTakeTheirDefaults() throws IOException {
    ObjectNode config = minimal("llama");
    config.putNull("bos_token_id"); // HF writes null for "none"
    HfConfig c = HfConfig.read(write(config));
    assertThat(c.numKeyValueHeads()).isEqualTo(8);
    assertThat(c.ropeTheta()).isEqualTo(10000.0);
    assertThat(c.tieWordEmbeddings()).isFalse();
    assertThat(c.qkLayernorm()).isFalse();
    assertThat(c.torchDtype()).isEmpty();
    assertThat(c.bosTokenId()).isEmpty();
    assertThat(c.eosTokenIds()).isEmpty();
  }

  @Test
  void chameleonWithQkLayernormTiedAndSeveralEos() throws IOException {
    ObjectNode config = minimal("chameleon");
    config.put("qk_layernorm", true);
    config.put("tie_word_embeddings", true);
    config.putArray("eos_token_id").add(2).add(7);
    HfConfig c = HfConfig.read(write(config));
    assertThat(c.modelType()).isEqualTo("chameleon");
    assertThat(c.qkLayernorm()).isTrue();
    assertThat(c.tieWordEmbeddings()).isTrue();
    assertThat(c.eosTokenIds()).containsExactly(2, 7);
    assertThat(HfLlama.modelConfig(c).architecture().qkNorm()).isTrue();
    assertThat(HfLlama.modelConfig(HfConfig.read(write(minimal("chameleon")))).architecture().qkNorm()).isFalse();
  }

  @Test
  void chameleonsPostNormLayersAreRefusedByName() throws IOException {
    ObjectNode config = minimal("chameleon");
    config.put("swin_norm", true);
    Path file = write(config);
    assertThatThrownBy(() -> HfConfig.read(file))
        .hasMessageContaining(file.toString())
        .hasMessageContaining("swin_norm is true");
    config.put("swin_norm", false);
    assertThat(HfConfig.read(write(config)).modelType()).isEqualTo("chameleon");
  }

  @Test
  void emu3ReadsANestedTextConfigAndAcceptsBaaisSpelling() throws IOException {
    ObjectNode nested = JSON.createObjectNode();
    nested.put("model_type", "emu3");
    ObjectNode text = minimal("emu3_text_model");
    text.put("num_key_value_heads", 2);
    nested.set("text_config", text);
    nested.put("eos_token_id", 5); // top level: the fallback
    HfConfig c = HfConfig.read(write(nested));
    assertThat(c.modelType()).isEqualTo("emu3");
    assertThat(c.numKeyValueHeads()).isEqualTo(2);
    assertThat(c.hiddenSize()).isEqualTo(64);
    assertThat(c.eosTokenIds()).containsExactly(5);

    assertThat(HfConfig.read(write(minimal("Emu3"))).modelType()).isEqualTo("emu3");
  }

  @Test
  void anUnsupportedModelTypeIsNamedWithTheSupportedOnes() throws IOException {
    Path file = write(minimal("mistral"));
    assertThatThrownBy(() -> HfConfig.read(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("'mistral'")
        .hasMessageContaining("[llama, emu3, chameleon]");
  }

  @ParameterizedTest
  @ValueSource(strings = {"vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
      "num_attention_heads", "rms_norm_eps", "max_position_embeddings", "model_type"})
  void aMissingRequiredFieldIsNamedWithTheFile(String field) throws IOException {
    ObjectNode config = minimal("llama");
    config.remove(field);
    Path file = write(config);
    assertThatThrownBy(() -> HfConfig.read(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining(field);
  }

  @Test
  void outOfRangeValuesAreNamed() throws IOException {
    List<Object[]> cases = List.of(
        new Object[] {"hidden_size", 60, "hidden_size 60 is not divisible by num_attention_heads 8"},
        new Object[] {"num_key_value_heads", 3,
            "num_attention_heads 8 is not divisible by num_key_value_heads 3"},
        new Object[] {"vocab_size", -1, "vocab_size must be a positive integer"},
        new Object[] {"num_hidden_layers", 0, "num_hidden_layers must be a positive integer"},
        new Object[] {"hidden_size", 24, "must be even"},
        new Object[] {"bos_token_id", 100, "bos_token_id must be a token id in [0, 100)"});
    for (Object[] c : cases) {
      ObjectNode config = minimal("llama");
      config.put((String) c[0], (Integer) c[1]);
      Path file = write(config);
      assertThatThrownBy(() -> HfConfig.read(file))
          .as(c[0] + "=" + c[1])
          .isInstanceOf(IOException.class)
          .hasMessageContaining(file.toString())
          .hasMessageContaining((String) c[2]);
    }
    ObjectNode config = minimal("llama");
    config.put("rms_norm_eps", 0.0);
    Path file = write(config);
    assertThatThrownBy(() -> HfConfig.read(file)).hasMessageContaining("rms_norm_eps must be a positive number");
    config = minimal("llama");
    config.put("tie_word_embeddings", "yes");
    Path file2 = write(config);
    assertThatThrownBy(() -> HfConfig.read(file2)).hasMessageContaining("tie_word_embeddings must be true or false");
  }

  @Test
  void aMissingOrMalformedFileIsNamed() throws IOException {
    assertThatThrownBy(() -> HfConfig.read(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(dir.resolve("config.json").toString());
    Path file = dir.resolve("config.json");
    Files.writeString(file, "{\"model_type\": \"llama\",");
    assertThatThrownBy(() -> HfConfig.read(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("malformed JSON");
  }
}
