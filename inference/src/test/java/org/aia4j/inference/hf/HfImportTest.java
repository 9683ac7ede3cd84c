package org.aia4j.inference.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.aia4j.api.Registries;
import org.aia4j.api.benchmark.ProgressListener;
import org.aia4j.api.tokenizer.TextTokenizer;
import org.aia4j.inference.checkpoint.CheckpointFiles;
import org.aia4j.inference.io.SafeTensors;
import org.aia4j.testkit.PythonFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code aia import --hf} beneath the command: the tiny Hugging Face LLaMA of {@code
 * make_tiny_llama.py} (BF16, two shards) becomes a verified aia4j checkpoint whose tensors are the
 * source's values, with provenance; every refusal names the file at fault and leaves no output.
 */
class HfImportTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private Path copyOfTinyLlama() throws Exception {
    return copyOf(PythonFixtures.tinyLlama());
  }

  private Path copyOf(Path model) throws Exception {
    Path copy = dir.resolve("source");
    Files.createDirectories(copy);
    try (Stream<Path> files = Files.list(model)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Files.copy(file, copy.resolve(file.getFileName()));
      }
    }
    return copy;
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  @Test
  void importWritesAVerifiedCheckpointWithTheSourcesValuesAndProvenance() throws Exception {
    Path source = PythonFixtures.tinyLlama();
    Path out = dir.resolve("imported");
    assertThat(HfImport.isHfDirectory(source)).isTrue();

    HfImport.Result result = HfImport.run(source, out, ProgressListener.none());

    CheckpointFiles checkpoint = CheckpointFiles.open(out); // manifest verified, format and version checked
    assertThat(HfImport.isHfDirectory(out)).isFalse();
    assertThat(checkpoint.model()).isEqualTo(HfLlama.modelConfig(HfConfig.read(source.resolve("config.json"))));
    assertThat(checkpoint.model().architecture().kvHeads()).isEqualTo(2);
    SafeTensors.Contents written = checkpoint.weights();
    long values = written.tensors().values().stream().mapToLong(SafeTensors.Tensor::size).sum();
    assertThat(result.parameters()).isEqualTo(values);
    try (HfWeights weights = HfWeights.open(source)) {
      SafeTensors.Contents expected = HfLlama.read(weights, checkpoint.model());
      assertThat(written.tensors().keySet()).containsExactlyInAnyOrderElementsOf(expected.tensors().keySet());
      for (Map.Entry<String, SafeTensors.Tensor> e : expected.tensors().entrySet()) {
        assertThat(written.tensors().get(e.getKey()).toFloats()).as(e.getKey()).containsExactly(e.getValue().toFloats());
      }
    }
    // expected.json holds the BF16 values the script wrote, decoded by the script itself.
    JsonNode picked = JSON.readTree(source.resolve("expected.json").toFile());
    float[] head = written.tensors().get("lm_head.weight").toFloats();
    for (int i = 0; i < 8; i++) {
      assertThat(head[i]).isEqualTo((float) picked.path("lm_head.weight").path("first").get(i).asDouble());
    }

    JsonNode imported = checkpoint.config().path("imported_from");
    assertThat(imported.path("model_type").asText()).isEqualTo("llama");
    assertThat(imported.path("directory").asText()).isEqualTo(source.toAbsolutePath().normalize().toString());
    for (String shard : List.of("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors")) {
      assertThat(imported.path("weights").path(shard).path("sha256").asText()).isEqualTo(sha256(source.resolve(shard)));
      assertThat(imported.path("weights").path(shard).path("dtypes").get(0).asText()).isEqualTo("BF16");
    }
    assertThat(imported.path("tokenizer").path("tokenizer.json").asText()).isEqualTo(sha256(source.resolve("tokenizer.json")));
    assertThat(result.sourceDtypes()).containsExactly("BF16");

    assertThat(out.resolve("tokenizers/tokenizer.json")).hasSameBinaryContentAs(source.resolve("tokenizer.json"));
    TextTokenizer text = Registries.textTokenizers().get(checkpoint.config().path("tokenizers").path("text").asText())
        .load(out.resolve("tokenizers"));
    TextTokenizer original = Registries.textTokenizers().get("huggingface").load(source);
    assertThat(text.encodeWithSpecials("how many red circle")).containsExactly(original.encodeWithSpecials("how many red circle"));
  }

  private void assertRefusedAndNothingWritten(Path source, String... messageParts) {
    Path out = dir.resolve("out");
    var thrown = assertThatThrownBy(() -> HfImport.run(source, out, ProgressListener.none())).isInstanceOf(IOException.class);
    for (String part : messageParts) {
      thrown.hasMessageContaining(part);
    }
    assertThat(out).doesNotExist();
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("source");
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void chameleonImportsItsHeadNormsAndLeavesItsVqModelOut() throws Exception {
    Path source = PythonFixtures.tinyChameleon();
    Path out = dir.resolve("chameleon");
    HfImport.run(source, out, ProgressListener.none());
    CheckpointFiles checkpoint = CheckpointFiles.open(out);
    assertThat(checkpoint.model().architecture().qkNorm()).isTrue();
    assertThat(checkpoint.config().path("imported_from").path("model_type").asText()).isEqualTo("chameleon");
    SafeTensors.Contents written = checkpoint.weights();
    assertThat(written.tensors()).containsKey("layers.1.attention.k_norm.bias")
        .doesNotContainKey("model.vqmodel.quantize.embedding.weight");
    assertThat(written.tensors().keySet()).noneMatch(name -> name.contains("vqmodel"));
    try (HfWeights weights = HfWeights.open(source)) {
      float[] expected = weights.read("model.layers.0.self_attn.q_norm.weight");
      assertThat(written.tensors().get("layers.0.attention.q_norm.weight").toFloats()).containsExactly(expected);
    }
  }

  @Test
  void headNormsInACheckpointWhoseConfigLacksThemAreNamed() throws Exception {
    Path source = copyOf(PythonFixtures.tinyChameleon());
    editConfig(source, config -> config.put("qk_layernorm", false));
    assertRefusedAndNothingWritten(source, "self_attn.", "_norm.", "qk_layernorm false");
  }

  @Test
  void aCorruptedShardHeaderIsNamed() throws Exception {
    Path source = copyOfTinyLlama();
    Path shard = source.resolve("model-00002-of-00002.safetensors");
    byte[] bytes = Files.readAllBytes(shard);
    bytes[8] = '[';
    Files.write(shard, bytes);
    assertRefusedAndNothingWritten(source, shard.toString());
  }

  @Test
  void aShardTheIndexNamesButTheDirectoryLacksIsNamed() throws Exception {
    Path source = copyOfTinyLlama();
    Files.delete(source.resolve("model-00001-of-00002.safetensors"));
    assertRefusedAndNothingWritten(source, "model-00001-of-00002.safetensors");
  }

  @Test
  void anUnknownModelTypeIsNamedWithTheSupportedOnes() throws Exception {
    Path source = copyOfTinyLlama();
    editConfig(source, config -> config.put("model_type", "gpt2"));
    assertRefusedAndNothingWritten(source, "gpt2", "llama", "emu3", "chameleon");
  }

  @Test
  void aTensorOfTheWrongShapeIsNamedWithBothShapes() throws Exception {
    Path source = copyOfTinyLlama();
    editConfig(source, config -> config.put("intermediate_size", 40));
    assertRefusedAndNothingWritten(source, "model.layers.0.mlp.gate_proj.weight", "40", "48");
  }

  @Test
  void aTokenizerLargerThanTheModelsVocabularyIsRefused() throws Exception {
    Path source = copyOfTinyLlama();
    editConfig(source, config -> config.put("vocab_size", 32));
    assertRefusedAndNothingWritten(source, "tokenizer.json", "64", "32");
  }

  @Test
  void aNonFiniteWeightIsNamedAndNothingIsWritten() throws Exception {
    Path source = copyOfTinyLlama();
    Path shard = source.resolve("model-00002-of-00002.safetensors");
    SafeTensors.Header header = SafeTensors.readHeader(shard);
    SafeTensors.Entry head = header.tensors().stream().filter(e -> e.name().equals("lm_head.weight")).findFirst()
        .orElseThrow();
    byte[] bytes = Files.readAllBytes(shard);
    int at = (int) (header.dataStart() + head.begin() + 2 * 5); // the sixth value: BF16 NaN, little-endian
    bytes[at] = (byte) 0xC0;
    bytes[at + 1] = (byte) 0x7F;
    Files.write(shard, bytes);
    assertRefusedAndNothingWritten(source, shard.toString(), "lm_head.weight", "NaN", "index 5");
  }

  @Test
  void aMissingTokenizerIsNamed() throws Exception {
    Path source = copyOfTinyLlama();
    Files.delete(source.resolve("tokenizer.json"));
    assertRefusedAndNothingWritten(source, source.resolve("tokenizer.json").toString());
  }

  @Test
  void anExistingOutputIsLeftAsItWas() throws Exception {
    Path out = Files.createDirectories(dir.resolve("taken"));
    Files.writeString(out.resolve("notes.txt"), "mine", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> HfImport.run(PythonFixtures.tinyLlama(), out, ProgressListener.none()))
        .hasMessageContaining(out.toString())
        .hasMessageContaining("already exists");
    try (Stream<Path> left = Files.list(out)) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("notes.txt");
    }
    assertThat(Files.readString(out.resolve("notes.txt"))).isEqualTo("mine");
  }

  private static void editConfig(Path source, java.util.function.Consumer<ObjectNode> edit) throws IOException {
    ObjectNode config = (ObjectNode) JSON.readTree(source.resolve("config.json").toFile());
    edit.accept(config);
    JSON.writeValue(source.resolve("config.json").toFile(), config);
  }
}
