package org.aia4j.evaluation.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.aia4j.api.data.GenerationSample;
import org.aia4j.api.data.TrainingData;
import org.aia4j.api.data.UnderstandingSample;
import org.aia4j.evaluation.data.WorldTrainingData;
import org.aia4j.evaluation.io.JsonLines;
import org.aia4j.evaluation.world.WorldSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Data sets written by {@link TrainingDataWriter} or by hand, read by {@link FileTrainingData}. */
class FileTrainingDataTest {
  @TempDir
  Path tmp;

  @Test
  void theWorldsSamplesSurviveARoundTripThroughFiles() throws IOException {
    WorldTrainingData world = new WorldTrainingData(WorldSpec.standard(), 7);
    TrainingDataWriter.Written written = TrainingDataWriter.write(world, 30, 20, tmp.resolve("world"));
    assertThat(written.files()).containsExactly(tmp.resolve("world/understanding.json"),
        tmp.resolve("world/generation.jsonl"));

    FileTrainingData read = FileTrainingData.read(written.files(), world.imageSize(), 3);

    assertThat(read.understandingCount()).isEqualTo(30);
    assertThat(read.generationCount()).isEqualTo(20);
    // The files are read in a seeded order, so compare as multisets of whole samples.
    List<String> expectedUnderstanding = new ArrayList<>();
    List<String> actualUnderstanding = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      expectedUnderstanding.add(key(world.understanding(i)));
      actualUnderstanding.add(key(read.understanding(i)));
    }
    assertThat(actualUnderstanding).containsExactlyInAnyOrderElementsOf(expectedUnderstanding);
    List<String> expectedGeneration = new ArrayList<>();
    List<String> actualGeneration = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      expectedGeneration.add(key(world.generation(i)));
      actualGeneration.add(key(read.generation(i)));
    }
    assertThat(actualGeneration).containsExactlyInAnyOrderElementsOf(expectedGeneration);
    // Index n is index 0 again: every epoch visits the same order.
    assertThat(key(read.understanding(30))).isEqualTo(key(read.understanding(0)));
    assertThat(key(read.generation(41))).isEqualTo(key(read.generation(1)));
  }

  @Test
  void theExportIsLlavaJsonAndGenerationJsonLinesBesidePngImages() throws IOException {
    WorldTrainingData world = new WorldTrainingData(WorldSpec.standard(), 7);
    TrainingDataWriter.write(world, 2, 2, tmp.resolve("world"));

    JsonNode first = JsonLines.MAPPER.readTree(tmp.resolve("world/understanding.json").toFile()).get(0);
    assertThat(first.get("image").asText()).isEqualTo("images/und-000000.png");
    assertThat(first.at("/conversations/0/from").asText()).isEqualTo("human");
    assertThat(first.at("/conversations/0/value").asText()).isEqualTo("<image>\n" + world.understanding(0).prompt());
    assertThat(first.at("/conversations/1/from").asText()).isEqualTo("gpt");
    assertThat(first.at("/conversations/1/value").asText()).isEqualTo(world.understanding(0).answer());
    JsonNode generation = JsonLines.read(tmp.resolve("world/generation.jsonl")).get(1);
    assertThat(generation.get("prompt").asText()).isEqualTo(world.generation(1).prompt());
    assertThat(ImageIO.read(tmp.resolve("world").resolve(generation.get("image").asText()).toFile())).isNotNull();
  }

  @Test
  void anExportIntoAFolderThatHoldsFilesIsRefusedAndLeavesNoHalfDataSet() throws IOException {
    Path out = Files.createDirectories(tmp.resolve("taken"));
    Files.writeString(out.resolve("notes.txt"), "mine");
    WorldTrainingData world = new WorldTrainingData(WorldSpec.standard(), 7);

    assertThatThrownBy(() -> TrainingDataWriter.write(world, 2, 2, out)).isInstanceOf(FileAlreadyExistsException.class);

    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(left).containsExactly(out);
    }
    try (Stream<Path> inside = Files.list(out)) {
      assertThat(inside).containsExactly(out.resolve("notes.txt"));
    }
  }

  @Test
  void anExportFailingHalfwayLeavesNoHalfDataSet() throws IOException {
    // Understanding-only data fails when asked for a generation sample, after its images were written.
    WorldTrainingData world = new WorldTrainingData(WorldSpec.standard(), 7);
    Path understandingOnly = TrainingDataWriter.write(world, 3, 0, tmp.resolve("und")).files().get(0);
    FileTrainingData data = FileTrainingData.read(List.of(understandingOnly), 32, 0);
    Path out = tmp.resolve("export");

    assertThatThrownBy(() -> TrainingDataWriter.write(data, 3, 1, out)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("hold no generation samples");

    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(left).containsExactly(tmp.resolve("und"));
    }
  }

  @Test
  void aMultiTurnConversationGivesOneSamplePerHumanGptPairAndThePlaceholderIsStripped() throws IOException {
    png(tmp.resolve("a.png"), 32, 32, 0x112233);
    Path json = write("llava.json", """
        [{"id": "1", "image": "a.png", "conversations": [
          {"from": "human", "value": "<image>\\nWhat colour is it?"}, {"from": "gpt", "value": "dark blue"},
          {"from": "human", "value": "How many?"}, {"from": "gpt", "value": "one"}]}]
        """);

    FileTrainingData data = FileTrainingData.read(List.of(json), 32, 0);

    assertThat(data.understandingCount()).isEqualTo(2);
    assertThat(List.of(data.understanding(0).prompt(), data.understanding(1).prompt()))
        .containsExactlyInAnyOrder("What colour is it?", "How many?");
    assertThat(data.vocabularyCorpus()).containsExactly("What colour is it?", "dark blue", "How many?", "one");
    assertThat(data.understanding(0).image().getRGB(5, 5) & 0xFFFFFF).isEqualTo(0x112233);
  }

  @Test
  void imagesOfAnotherSizeAreResizedAndNonSquareOnesPaddedToTypeIntRgb() throws IOException {
    png(tmp.resolve("big.png"), 96, 96, 0xFF0000);
    png(tmp.resolve("wide.png"), 64, 32, 0x00FF00);
    Path jsonl = write("gen.jsonl", """
        {"prompt": "red", "image": "big.png"}
        {"prompt": "green", "image": "wide.png"}
        """);

    FileTrainingData data = FileTrainingData.read(List.of(jsonl), 32, 0);

    for (int i = 0; i < 2; i++) {
      GenerationSample sample = data.generation(i);
      BufferedImage image = sample.image();
      assertThat(image.getWidth()).isEqualTo(32);
      assertThat(image.getHeight()).isEqualTo(32);
      assertThat(image.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
      if (sample.prompt().equals("red")) {
        assertThat(image.getRGB(0, 0) & 0xFFFFFF).isEqualTo(0xFF0000);
      } else {
        // 64x32 padded to 64x64 (black bands above and below), then halved.
        assertThat(image.getRGB(16, 16) & 0xFFFFFF).isEqualTo(0x00FF00);
        assertThat(image.getRGB(16, 2) & 0xFFFFFF).isZero();
      }
    }
  }

  @Test
  void preTokenizedRowsCarryTheirCodesAndNoImage() throws IOException {
    Path jsonl = write("tokens.jsonl", """
        {"task": "understanding", "codes": [1, 2, 3, 4], "prompt": "What is it?", "answer": "a bag"}
        {"task": "generation", "prompt": "a bag", "codes": [4, 3, 2, 1]}
        """);

    FileTrainingData data = FileTrainingData.read(List.of(jsonl), 32, 0);

    UnderstandingSample understanding = data.understanding(0);
    assertThat(understanding.isTokenized()).isTrue();
    assertThat(understanding.image()).isNull();
    assertThat(understanding.imageCodes()).containsExactly(1, 2, 3, 4);
    assertThat(understanding.answer()).isEqualTo("a bag");
    assertThat(data.generation(0).imageCodes()).containsExactly(4, 3, 2, 1);
    assertThat(data.firstTokenizedRow()).hasValue(jsonl + " line 1");
    assertThatThrownBy(() -> data.tokenizerImages(4, 0)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("pre-tokenized");

    TrainingDataWriter.write(data, 1, 1, tmp.resolve("again"));
    FileTrainingData again = FileTrainingData.read(List.of(tmp.resolve("again/tokenized.jsonl")), 32, 0);
    assertThat(again.understanding(0).imageCodes()).containsExactly(1, 2, 3, 4);
    assertThat(again.generation(0).imageCodes()).containsExactly(4, 3, 2, 1);
  }

  @Test
  void theSampleOrderIsAFunctionOfFilesAndSeedOnly() throws IOException {
    WorldTrainingData world = new WorldTrainingData(WorldSpec.standard(), 7);
    List<Path> files = TrainingDataWriter.write(world, 12, 12, tmp.resolve("world")).files();

    FileTrainingData a = FileTrainingData.read(files, 32, 5);
    FileTrainingData b = FileTrainingData.read(files, 32, 5);
    FileTrainingData other = FileTrainingData.read(files, 32, 6);

    List<String> orderA = new ArrayList<>();
    List<String> orderB = new ArrayList<>();
    List<String> orderOther = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      orderA.add(key(a.understanding(i)));
      orderB.add(key(b.understanding(i)));
      orderOther.add(key(other.understanding(i)));
    }
    assertThat(orderB).isEqualTo(orderA);
    assertThat(orderOther).isNotEqualTo(orderA).containsExactlyInAnyOrderElementsOf(orderA);
    assertThat(b.describe()).isEqualTo(a.describe()).contains("understanding.json sha256=")
        .contains("generation.jsonl sha256=").contains("images sha256=").contains("seed=5");
    assertThat(a.tokenizerImages(30, 1)).hasSize(30);
  }

  @Test
  void describeChangesWhenAnImageChanges() throws IOException {
    WorldTrainingData world = new WorldTrainingData(WorldSpec.standard(), 7);
    List<Path> files = TrainingDataWriter.write(world, 3, 3, tmp.resolve("world")).files();
    String before = FileTrainingData.read(files, 32, 0).describe();

    png(tmp.resolve("world/images/gen-000001.png"), 32, 32, 0x123456);

    assertThat(FileTrainingData.read(files, 32, 0).describe()).isNotEqualTo(before);
  }

  // --- bad input ---

  @Test
  void aMalformedJsonLinesRowIsNamedByFileAndLine() throws IOException {
    png(tmp.resolve("a.png"), 32, 32, 0);
    Path jsonl = write("gen.jsonl", """
        {"prompt": "one", "image": "a.png"}

        {"prompt": "two", "image": "a.png"
        """);

    assertThatThrownBy(() -> FileTrainingData.read(List.of(jsonl), 32, 0)).isInstanceOf(IOException.class)
        .hasMessageContaining(jsonl + " line 3").hasMessageContaining("malformed JSON");
  }

  @Test
  void aJsonLinesRowLackingAFieldIsNamedByFileAndLineAndField() throws IOException {
    Path jsonl = write("gen.jsonl", """
        {"image": "a.png"}
        """);

    assertThatThrownBy(() -> FileTrainingData.read(List.of(jsonl), 32, 0)).isInstanceOf(IOException.class)
        .hasMessageContaining(jsonl + " line 1").hasMessageContaining("\"prompt\"");
  }

  @Test
  void aMalformedLlavaEntryIsNamedByFileAndArrayIndex() throws IOException {
    png(tmp.resolve("a.png"), 32, 32, 0);
    Path json = write("llava.json", """
        [{"image": "a.png", "conversations": [{"from": "human", "value": "Q?"}, {"from": "gpt", "value": "A"}]},
         {"image": "a.png", "conversations": [{"from": "human", "value": "Q?"}]}]
        """);

    assertThatThrownBy(() -> FileTrainingData.read(List.of(json), 32, 0)).isInstanceOf(IOException.class)
        .hasMessageContaining(json + " index 1").hasMessageContaining("no human turn followed by a gpt turn");
  }

  @Test
  void llavaJsonThatIsNotAnArrayOrNotJsonIsRefused() throws IOException {
    Path object = write("object.json", "{\"image\": \"a.png\"}");
    Path broken = write("broken.json", "[{\"image\": ");

    assertThatThrownBy(() -> FileTrainingData.read(List.of(object), 32, 0)).isInstanceOf(IOException.class)
        .hasMessageContaining(object.toString()).hasMessageContaining("expected a JSON array of LLaVA conversations");
    assertThatThrownBy(() -> FileTrainingData.read(List.of(broken), 32, 0)).isInstanceOf(IOException.class)
        .hasMessageContaining(broken.toString()).hasMessageContaining("malformed JSON");
  }

  @Test
  void aMissingImageIsNamedByItsPathAndTheRowNamingIt() throws IOException {
    Path json = write("llava.json", """
        [{"image": "missing.png", "conversations": [{"from": "human", "value": "Q?"}, {"from": "gpt", "value": "A"}]}]
        """);

    assertThatThrownBy(() -> FileTrainingData.read(List.of(json), 32, 0)).isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(tmp.resolve("missing.png").toString())
        .hasMessageContaining("image file is missing").hasMessageContaining(json + " index 0");
  }

  @Test
  void anUnreadableImageFileIsNamedByItsPath() throws IOException {
    Files.writeString(tmp.resolve("fake.png"), "not a picture");
    Path jsonl = write("gen.jsonl", "{\"prompt\": \"p\", \"image\": \"fake.png\"}\n");

    assertThatThrownBy(() -> FileTrainingData.read(List.of(jsonl), 32, 0)).isInstanceOf(IOException.class)
        .hasMessageContaining(tmp.resolve("fake.png").toString()).hasMessageContaining("unreadable image file");
  }

  @Test
  void anUnknownFormatIsNamedWithTheKnownOnes() throws IOException {
    Path csv = write("data.csv", "prompt,image\n");

    assertThatThrownBy(() -> FileTrainingData.read(List.of(csv), 32, 0)).isInstanceOf(IOException.class)
        .hasMessageContaining(csv + ": unknown data format").hasMessageContaining(".json (LLaVA conversations")
        .hasMessageContaining(".jsonl (generation rows");
  }

  @Test
  void emptyFilesAreRefused() throws IOException {
    Path jsonl = write("empty.jsonl", "\n\n");
    Path json = write("empty.json", "[]");

    assertThatThrownBy(() -> FileTrainingData.read(List.of(jsonl), 32, 0)).isInstanceOf(IOException.class)
        .hasMessage(jsonl + ": holds no samples");
    assertThatThrownBy(() -> FileTrainingData.read(List.of(json), 32, 0)).isInstanceOf(IOException.class)
        .hasMessage(json + ": holds no samples");
  }

  @Test
  void aMissingDataFileIsNamed() {
    Path missing = tmp.resolve("nope.jsonl");

    assertThatThrownBy(() -> FileTrainingData.read(List.of(missing), 32, 0)).isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(missing.toString()).hasMessageContaining("data file is missing");
  }

  @Test
  void preTokenizedRowsWithBadCodesOrTasksAreNamedByFileAndLine() throws IOException {
    Path notInts = write("a.jsonl", "{\"task\": \"generation\", \"prompt\": \"p\", \"codes\": [1, \"x\"]}\n");
    Path badTask = write("b.jsonl", "{\"task\": \"captioning\", \"prompt\": \"p\", \"codes\": [1]}\n");
    Path noAnswer = write("c.jsonl", "{\"task\": \"understanding\", \"prompt\": \"p\", \"codes\": [1]}\n");

    assertThatThrownBy(() -> FileTrainingData.read(List.of(notInts), 32, 0)).hasMessageContaining(notInts + " line 1")
        .hasMessageContaining("\"codes\"[1]");
    assertThatThrownBy(() -> FileTrainingData.read(List.of(badTask), 32, 0)).hasMessageContaining(badTask + " line 1")
        .hasMessageContaining("unknown \"task\" 'captioning'");
    assertThatThrownBy(() -> FileTrainingData.read(List.of(noAnswer), 32, 0)).hasMessageContaining(noAnswer + " line 1")
        .hasMessageContaining("\"answer\"");
  }

  @Test
  void askingForATaskTheFilesLackNamesIt() throws IOException {
    png(tmp.resolve("a.png"), 32, 32, 0);
    Path jsonl = write("gen.jsonl", "{\"prompt\": \"p\", \"image\": \"a.png\"}\n");
    FileTrainingData data = FileTrainingData.read(List.of(jsonl), 32, 0);

    assertThatThrownBy(() -> data.understanding(0)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("hold no understanding samples");
  }

  static String key(UnderstandingSample sample) {
    return sample.prompt() + "|" + sample.answer() + "|" + pixels(sample.image());
  }

  static String key(GenerationSample sample) {
    return sample.prompt() + "|" + pixels(sample.image());
  }

  /** Every pixel's RGB, so two keys are equal only for equal images. */
  static String pixels(BufferedImage image) {
    StringBuilder hex = new StringBuilder(image.getWidth() + "x" + image.getHeight() + ":");
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        hex.append(HexFormat.of().toHexDigits(image.getRGB(x, y) & 0xFFFFFF, 6));
      }
    }
    return hex.toString();
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(tmp.resolve(name), text);
  }

  static void png(Path file, int width, int height, int rgb) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, rgb);
      }
    }
    ImageIO.write(image, "png", file.toFile());
  }
}
