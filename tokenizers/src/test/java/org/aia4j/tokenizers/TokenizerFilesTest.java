package org.aia4j.tokenizers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.aia4j.api.Registries;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.api.tokenizer.ImageTokenizerProvider;
import org.aia4j.api.tokenizer.TextTokenizer;
import org.aia4j.api.tokenizer.TextTokenizerProvider;
import org.aia4j.evaluation.world.SceneRenderer;
import org.aia4j.evaluation.world.SceneSampler;
import org.aia4j.evaluation.world.WorldSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saving into a checkpoint directory and loading back through the registries, as a model does. */
class TokenizerFilesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<BufferedImage> IMAGES = new ArrayList<>();
  private static PatchVqTokenizer image;
  private static final WordTokenizer TEXT =
      WordTokenizer.fit(List.of("A red circle left of a blue square.", "How many crosses?"));

  @TempDir Path checkpoint;

  @BeforeAll
  static void fit() {
    WorldSpec spec = WorldSpec.standard();
    SceneRenderer renderer = new SceneRenderer(spec);
    SceneSampler sampler = SceneSampler.allCombinations(spec, 9);
    for (int i = 0; i < 300; i++) {
      IMAGES.add(renderer.render(sampler.sample()));
    }
    image = PatchVqTrainer.defaults().withSeed(5).fit(IMAGES);
  }

  @Test
  void theProvidersAreFoundThroughServiceLoader() {
    assertThat(Registries.imageTokenizers().names()).contains("patch-vq");
    assertThat(Registries.imageTokenizers().get("PATCH-VQ"))
        .isInstanceOf(PatchVqTokenizerProvider.class);
    assertThat(Registries.textTokenizers().names()).contains("word");
    assertThat(Registries.textTokenizers().get("word")).isInstanceOf(WordTokenizerProvider.class);
  }

  @Test
  void anImageTokenizerLoadsBackWithIdenticalEncodings() throws IOException {
    image.save(checkpoint);
    ImageTokenizerProvider provider = Registries.imageTokenizers().get(image.kind());

    ImageTokenizer loaded = provider.load(checkpoint);

    assertThat(loaded.kind()).isEqualTo("patch-vq");
    assertThat(loaded.codebookSize()).isEqualTo(256);
    assertThat(loaded.imageSize()).isEqualTo(32);
    assertThat(((PatchVqTokenizer) loaded).provenance()).isEqualTo(image.provenance());
    for (BufferedImage picture : IMAGES.subList(0, 100)) {
      assertThat(loaded.encode(picture)).isEqualTo(image.encode(picture));
    }
    int[] allCodes = new int[64];
    for (int i = 0; i < 64; i++) {
      allCodes[i] = i * 4;
    }
    assertThat(PatchTable.rgb(loaded.decode(allCodes))).isEqualTo(PatchTable.rgb(image.decode(allCodes)));
  }

  @Test
  void aTextTokenizerLoadsBackWithIdenticalEncodings() throws IOException {
    TEXT.save(checkpoint);

    TextTokenizer loaded = Registries.textTokenizers().get("word").load(checkpoint);

    String text = "How many red squares left of a purple circle?";
    assertThat(loaded.encode(text)).isEqualTo(TEXT.encode(text));
    assertThat(loaded.decode(loaded.encode(text))).isEqualTo(TEXT.decode(TEXT.encode(text)));
    assertThat(((WordTokenizer) loaded).vocabulary()).isEqualTo(TEXT.vocabulary());
    assertThat(((WordTokenizer) loaded).provenance()).isEqualTo(TEXT.provenance());
  }

  @Test
  void theFilesAreSmallVersionedJsonWrittenWithoutLeftovers() throws IOException {
    image.save(checkpoint);
    image.save(checkpoint); // overwrites in place
    TEXT.save(checkpoint);

    try (Stream<Path> files = Files.list(checkpoint)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("image-tokenizer.json", "text-tokenizer.json");
    }
    JsonNode images = JSON.readTree(checkpoint.resolve("image-tokenizer.json").toFile());
    assertThat(images.fieldNames())
        .toIterable()
        .containsExactly(
            "kind", "version", "imageSize", "patchSize", "codebookSize", "provenance", "codebook");
    assertThat(images.get("codebook")).hasSize(image.usedCodes());
    assertThat(images.get("codebook").get(0).get(0).asText()).isEqualTo("#999999");
    JsonNode text = JSON.readTree(checkpoint.resolve("text-tokenizer.json").toFile());
    assertThat(text.fieldNames())
        .toIterable()
        .containsExactly("kind", "version", "lowercase", "unknownToken", "provenance", "vocabulary");
    assertThat(text.get("vocabulary").get(0).asText()).isEqualTo("<unk>");
  }

  @Test
  void aMissingFileIsNamed() {
    Path file = checkpoint.resolve("image-tokenizer.json");

    assertThatThrownBy(() -> new PatchVqTokenizerProvider().load(checkpoint))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("image-tokenizer.json is missing");
    assertThatThrownBy(() -> new WordTokenizerProvider().load(checkpoint.resolve("nowhere")))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("text-tokenizer.json");
  }

  @Test
  void corruptOrTruncatedJsonIsRejected() throws IOException {
    image.save(checkpoint);
    Path file = checkpoint.resolve("image-tokenizer.json");
    byte[] whole = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(whole, whole.length / 2));

    assertThatThrownBy(() -> new PatchVqTokenizerProvider().load(checkpoint))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("Corrupt or truncated tokenizer file " + file);

    Files.writeString(file, "");
    assertThatThrownBy(() -> new PatchVqTokenizerProvider().load(checkpoint))
        .hasMessage("Corrupt or truncated tokenizer file " + file + ": it is empty");
    Files.writeString(file, "[1, 2]");
    assertThatThrownBy(() -> new PatchVqTokenizerProvider().load(checkpoint))
        .hasMessageContaining("expected a JSON object, got ARRAY");
  }

  @Test
  void aFileOfAnotherKindIsRejected() throws IOException {
    TEXT.save(checkpoint);
    Files.move(checkpoint.resolve("text-tokenizer.json"), checkpoint.resolve("image-tokenizer.json"));

    assertThatThrownBy(() -> new PatchVqTokenizerProvider().load(checkpoint))
        .hasMessageEndingWith(
            "holds a 'word' tokenizer, not 'patch-vq'; load it with the provider named 'word'");
  }

  @Test
  void anUnsupportedVersionSaysWhichAreSupported() throws IOException {
    edit(image, json -> json.put("version", 2));

    assertThatThrownBy(() -> new PatchVqTokenizerProvider().load(checkpoint))
        .hasMessageEndingWith(
            "has patch-vq format version 2, but this aia4j supports version 1"
                + " (it was saved by a newer aia4j)");

    edit(TEXT, json -> json.put("version", "1"));
    assertThatThrownBy(() -> new WordTokenizerProvider().load(checkpoint))
        .hasMessageEndingWith("'version' must be an integer, got \"1\"");
  }

  @Test
  void aCodebookOfTheWrongShapeIsRejected() throws IOException {
    edit(image, json -> ((ArrayNode) json.get("codebook").get(3)).remove(15));
    assertThatThrownBy(() -> new PatchVqTokenizerProvider().load(checkpoint))
        .hasMessageEndingWith(
            "codebook entry 3 must be an array of 16 colours (a 4x4 patch), got 15 elements");

    edit(image, json -> json.put("codebookSize", 100));
    assertThatThrownBy(() -> new PatchVqTokenizerProvider().load(checkpoint))
        .hasMessageEndingWith(
            "the codebook has " + image.usedCodes() + " codes; expected 1 to codebookSize (100)");

    edit(image, json -> ((ArrayNode) json.get("codebook").get(0)).set(2, "#99999"));
    assertThatThrownBy(() -> new PatchVqTokenizerProvider().load(checkpoint))
        .hasMessageEndingWith("codebook entry 0 pixel 2 must be a \"#rrggbb\" colour, got \"#99999\"");

    edit(image, json -> json.put("patchSize", 5));
    assertThatThrownBy(() -> new PatchVqTokenizerProvider().load(checkpoint))
        .hasMessageEndingWith("imageSize 32 must be a positive multiple of patchSize 5");

    // Sizes whose products overflow an int are refused by field, not by an index error later.
    edit(image, json -> json.put("patchSize", 65536));
    assertThatThrownBy(() -> new PatchVqTokenizerProvider().load(checkpoint))
        .hasMessage("Bad tokenizer file " + checkpoint.resolve("image-tokenizer.json")
            + ": 'patchSize' must be in [1, 256], got 65536");
    edit(image, json -> json.put("imageSize", 1048576));
    assertThatThrownBy(() -> new PatchVqTokenizerProvider().load(checkpoint))
        .hasMessageEndingWith("'imageSize' must be in [1, 4096], got 1048576");
    assertThatThrownBy(() -> new PatchVqTokenizer(1 << 20, 16, 4, List.of(new int[256]),
        image.provenance())).hasMessage("The image size must be at most 4096, got 1048576");

    edit(image, json -> json.remove("codebook"));
    assertThatThrownBy(() -> new PatchVqTokenizerProvider().load(checkpoint))
        .hasMessage(
            "Bad tokenizer file " + checkpoint.resolve("image-tokenizer.json")
                + ": the field 'codebook' is missing");
  }

  @Test
  void aMalformedVocabularyIsRejected() throws IOException {
    edit(TEXT, json -> ((ArrayNode) json.get("vocabulary")).set(0, "a"));
    assertThatThrownBy(() -> new WordTokenizerProvider().load(checkpoint))
        .hasMessageEndingWith("A vocabulary starts with <unk> (id 0), got 'a' first");

    edit(TEXT, json -> ((ArrayNode) json.get("vocabulary")).add(7));
    assertThatThrownBy(() -> new WordTokenizerProvider().load(checkpoint))
        .hasMessageEndingWith(
            "vocabulary entry " + TEXT.vocabularySize() + " must be a string, got 7");

    edit(TEXT, json -> json.put("unknownToken", "[UNK]"));
    assertThatThrownBy(() -> new WordTokenizerProvider().load(checkpoint))
        .hasMessageEndingWith("unknownToken must be <unk>, got '[UNK]'");
  }

  /** Saves {@code tokenizer} into the checkpoint, then rewrites its file through {@code change}. */
  private void edit(Object tokenizer, Consumer<ObjectNode> change) throws IOException {
    String name;
    if (tokenizer instanceof ImageTokenizer images) {
      images.save(checkpoint);
      name = PatchVqTokenizer.FILE_NAME;
    } else {
      ((TextTokenizer) tokenizer).save(checkpoint);
      name = WordTokenizer.FILE_NAME;
    }
    Path file = checkpoint.resolve(name);
    ObjectNode json = (ObjectNode) JSON.readTree(file.toFile());
    change.accept(json);
    JSON.writeValue(file.toFile(), json);
  }
}
