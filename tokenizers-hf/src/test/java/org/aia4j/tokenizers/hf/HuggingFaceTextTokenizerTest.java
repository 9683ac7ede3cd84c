package org.aia4j.tokenizers.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.aia4j.api.Registries;
import org.aia4j.api.tokenizer.TextTokenizer;
import org.aia4j.testkit.PythonFixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code huggingface} provider on the WordLevel {@code tokenizer.json} that {@code
 * make_tiny_llama.py} writes (whitespace pre-tokenizer, {@code <s>} added by its TemplateProcessing
 * post-processor and by {@code add_bos_token}). The expected ids are looked up in the file's own
 * {@code model.vocab}, word by word, as a WordLevel model on whitespace defines them.
 */
class HuggingFaceTextTokenizerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PROMPT = "what colour is the circle";

  private static Path model;
  private static JsonNode vocab;

  @BeforeAll
  static void fixture() throws Exception {
    model = PythonFixtures.tinyLlama();
    vocab = JSON.readTree(model.resolve("tokenizer.json").toFile()).path("model").path("vocab");
  }

  private static int[] byVocabulary(String text) {
    return Arrays.stream(text.split(" ")).mapToInt(w -> vocab.has(w) ? vocab.get(w).asInt() : 0).toArray();
  }

  private static int[] prepend(int first, int[] rest) {
    int[] out = new int[rest.length + 1];
    out[0] = first;
    System.arraycopy(rest, 0, out, 1, rest.length);
    return out;
  }

  @Test
  void encodesAsTheFileSaysAndAddsBosOnce() throws IOException {
    TextTokenizer tokenizer = Registries.textTokenizers().get("huggingface").load(model);

    assertThat(tokenizer.vocabularySize()).isEqualTo(64);
    assertThat(tokenizer.encode(PROMPT)).containsExactly(byVocabulary(PROMPT));
    // add_bos_token and the post-processor both say <s>: the model must see it once.
    assertThat(tokenizer.encodeWithSpecials(PROMPT)).containsExactly(prepend(1, byVocabulary(PROMPT)));
    assertThat(tokenizer.encode("the zebra")).containsExactly(vocab.get("the").asInt(), 0);
    assertThat(tokenizer.endOfTextId()).hasValue(2);
    assertThat(tokenizer.unknownId()).isZero();
    assertThat(tokenizer.token(vocab.get("circle").asInt())).isEqualTo("circle");
    assertThat(tokenizer.id("circle")).isEqualTo(vocab.get("circle").asInt());
    assertThat(tokenizer.decode(tokenizer.encode(PROMPT))).isEqualTo(PROMPT);
    // Longer than the library's default limit of 512: nothing is cut.
    assertThat(tokenizer.encode((PROMPT + " ").repeat(200).trim())).hasSize(1000);
    assertThatThrownBy(() -> tokenizer.decode(new int[] {64})).hasMessageContaining("outside the vocabulary");
  }

  @Test
  void withoutTheConfigThePostProcessorDecidesAndTheConfigCanTurnBosOff(@TempDir Path dir) throws IOException {
    Files.copy(model.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
    assertThat(HuggingFaceTextTokenizer.load(dir).encodeWithSpecials(PROMPT))
        .containsExactly(prepend(1, byVocabulary(PROMPT)));

    ObjectNode config = (ObjectNode) JSON.readTree(model.resolve("tokenizer_config.json").toFile());
    config.put("add_bos_token", false);
    JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
    assertThat(HuggingFaceTextTokenizer.load(dir).encodeWithSpecials(PROMPT)).containsExactly(byVocabulary(PROMPT));

    config.put("add_bos_token", true).put("add_eos_token", true);
    JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
    int[] both = HuggingFaceTextTokenizer.load(dir).encodeWithSpecials(PROMPT);
    assertThat(both[0]).isEqualTo(1);
    assertThat(both[both.length - 1]).isEqualTo(2);
    assertThat(both).hasSize(byVocabulary(PROMPT).length + 2);
  }

  @Test
  void savedFilesLoadBackToTheSameTokenizer(@TempDir Path dir) throws IOException {
    HuggingFaceTextTokenizer original = HuggingFaceTextTokenizer.load(model);
    original.save(dir.resolve("tokenizers"));

    assertThat(dir.resolve("tokenizers/tokenizer.json")).hasSameBinaryContentAs(model.resolve("tokenizer.json"));
    assertThat(dir.resolve("tokenizers/tokenizer_config.json"))
        .hasSameBinaryContentAs(model.resolve("tokenizer_config.json"));
    TextTokenizer loaded = HuggingFaceTextTokenizer.load(dir.resolve("tokenizers"));
    assertThat(loaded.encodeWithSpecials(PROMPT)).containsExactly(original.encodeWithSpecials(PROMPT));
  }

  @Test
  void badFilesAreNamed(@TempDir Path dir) throws IOException {
    assertThatThrownBy(() -> HuggingFaceTextTokenizer.load(dir))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(dir.resolve("tokenizer.json").toString());

    Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"vocab\": {\"a\": 0}", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> HuggingFaceTextTokenizer.load(dir))
        .hasMessageContaining(dir.resolve("tokenizer.json").toString())
        .hasMessageContaining("not valid JSON");

    Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"WordLevel\"}}", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> HuggingFaceTextTokenizer.load(dir)).hasMessageContaining("model.vocab is missing");

    Files.copy(model.resolve("tokenizer.json"), dir.resolve("tokenizer.json"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"add_bos_token\": true, \"bos_token\": \"<begin>\"}",
        StandardCharsets.UTF_8);
    assertThatThrownBy(() -> HuggingFaceTextTokenizer.load(dir))
        .hasMessageContaining("tokenizer_config.json")
        .hasMessageContaining("bos_token");
  }
}
