package org.aia4j.inference.sequence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.aia4j.api.Registries;
import org.aia4j.api.benchmark.ProgressListener;
import org.aia4j.api.tokenizer.TextTokenizer;
import org.aia4j.inference.checkpoint.CheckpointFiles;
import org.aia4j.inference.hf.HfImport;
import org.aia4j.testkit.FakeTokenizers;
import org.aia4j.testkit.PythonFixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image layouts as data, against the tiny LLaMA's WordLevel tokenizer (64 ids): markers resolve to
 * the tokenizer's ids, an image is written as the layout says, and a layout that does not fit the
 * model (codes outside the vocabulary, unknown markers, a marker that is a code) is refused by
 * name, before an import writes anything.
 */
class ImageLayoutTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private static Path model;
  private static TextTokenizer text;
  private static JsonNode vocab;

  @BeforeAll
  static void fixture() throws Exception {
    model = PythonFixtures.tinyLlama();
    text = Registries.textTokenizers().get("huggingface").load(model);
    vocab = JSON.readTree(model.resolve("tokenizer.json").toFile()).path("model").path("vocab");
  }

  private Path layoutFile(String codes, String begin) throws IOException {
    Path file = dir.resolve("layout.json");
    Files.writeString(file, "{\"name\": \"tiny\", \"codes\": " + codes + ", \"begin\": [" + begin + "],"
        + " \"row_end\": \"of\", \"frame_end\": \"and\", \"end\": [\"#2\"],"
        + " \"understanding_template\": \"{image} {question}\", \"generation_template\": \"draw {prompt}\"}",
        StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void anImageIsWrittenAsTheLayoutSays() throws IOException {
    ImageLayout.Resolved layout = ImageLayout.load(layoutFile("{\"count\": 20, \"first_id\": 44}", "\"the\", \"a\"")
        .toString()).resolve(text, 64);
    int of = vocab.get("of").asInt();
    assertThat(layout.image(new int[][] {{0, 1}, {2, 19}}, text)).containsExactly(vocab.get("the").asInt(),
        vocab.get("a").asInt(), 44, 45, of, 46, 63, of, vocab.get("and").asInt(), 2);
    assertThat(layout.isCode(44)).isTrue();
    assertThat(layout.codeIndex(63)).isEqualTo(19);
    assertThat(layout.isCode(43)).isFalse();
    assertThatThrownBy(() -> layout.image(new int[][] {{20}}, text)).hasMessageContaining("outside the codebook");
  }

  @Test
  void codesNamedByATokenPatternResolveThroughTheTokenizer() throws IOException {
    Files.writeString(dir.resolve("words.json"), "{\"name\": \"words\", \"codes\": {\"count\": 2, \"token_pattern\":"
        + " \"w%d\"}, \"begin\": [\"the\"], \"end\": [\"a\"]}", StandardCharsets.UTF_8);
    // The tiny tokenizer has no w0/w1: the first code's token is named.
    assertThatThrownBy(() -> ImageLayout.load(dir.resolve("words.json").toString()).resolve(text, 64))
        .hasMessageContaining("image code 0 token 'w0' is not in the model's tokenizer");
  }

  @Test
  void chameleonCodesAreFoundByTheirLetterNames() throws IOException {
    // Chameleon's code c is the token IMGIMG + c's digits as letters (A=0 .. J=9) + one character.
    TextTokenizer chameleon = FakeTokenizers.words("<unk>", "<racm3:break>", "IMGIMGCZ", "<eoss>", "IMGIMGAZ", "hello",
        "IMGIMGBZ", "IMGIMGBAZ", "IMGIMGJZ", "IMGIMGDZ", "IMGIMGEZ", "IMGIMGFZ", "IMGIMGGZ", "IMGIMGHZ", "IMGIMGIZ");
    Files.writeString(dir.resolve("cham.json"), "{\"name\": \"cham\", \"codes\": {\"count\": 11, \"scheme\":"
        + " \"chameleon-imgimg\"}, \"begin\": [\"<racm3:break>\"], \"end\": [\"<eoss>\"]}", StandardCharsets.UTF_8);
    ImageLayout.Resolved layout = ImageLayout.load(dir.resolve("cham.json").toString()).resolve(chameleon, 15);
    assertThat(layout.codeIds()).containsExactly(4, 6, 2, 9, 10, 11, 12, 13, 14, 8, 7);
    assertThat(layout.image(new int[][] {{10, 0}}, chameleon)).containsExactly(1, 7, 4, 3);
    assertThat(layout.codeIndex(7)).isEqualTo(10);

    Files.writeString(dir.resolve("cham12.json"), Files.readString(dir.resolve("cham.json")).replace("11", "12"),
        StandardCharsets.UTF_8);
    assertThatThrownBy(() -> ImageLayout.load(dir.resolve("cham12.json").toString()).resolve(chameleon, 15))
        .hasMessageContaining("no IMGIMG token for image code 11");
  }

  @Test
  void layoutsThatDoNotFitTheModelAreRefusedByName() throws IOException {
    assertThatThrownBy(() -> ImageLayout.load(layoutFile("{\"count\": 32, \"first_id\": 40}", "\"the\"").toString())
        .resolve(text, 64)).hasMessageContaining("ids 40..71, outside the model's vocabulary of 64");
    assertThatThrownBy(() -> ImageLayout.load(layoutFile("{\"count\": 8, \"first_id\": 40}", "\"<|image start|>\"")
        .toString()).resolve(text, 64)).hasMessageContaining("begin token '<|image start|>' is not in the model's tokenizer");
    assertThatThrownBy(() -> ImageLayout.load(layoutFile("{\"count\": 8, \"first_id\": 40}", "\"#45\"").toString())
        .resolve(text, 64)).hasMessageContaining("marker id 45 is also image code 5");
    Files.writeString(dir.resolve("odd.json"), "{\"name\": \"odd\", \"codes\": {\"count\": 4, \"first_id\": 1},"
        + " \"colour\": 3}", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> ImageLayout.load(dir.resolve("odd.json").toString()))
        .hasMessageContaining(dir.resolve("odd.json").toString()).hasMessageContaining("colour");
    assertThatThrownBy(() -> ImageLayout.load("emu4")).hasMessageContaining("emu3, chameleon");
  }

  @Test
  void thePresetsLoadAndSayWhenATokenizerIsNotTheirModels() throws IOException {
    for (String preset : ImageLayout.PRESETS) {
      ImageLayout layout = ImageLayout.load(preset);
      assertThat(layout.name()).isEqualTo(preset);
      assertThatThrownBy(() -> layout.resolve(text, 64)).as(preset).hasMessageContaining("layout '" + preset + "'");
    }
  }

  @Test
  void anImportWithALayoutRecordsItAndARefusedOneWritesNothing() throws Exception {
    Path good = dir.resolve("good");
    HfImport.run(model, good, ImageLayout.load(layoutFile("{\"count\": 20, \"first_id\": 44}", "\"the\"").toString()),
        ProgressListener.none());
    JsonNode recorded = CheckpointFiles.open(good).config().path("image_layout");
    assertThat(recorded.path("codes").path("first_id").asInt()).isEqualTo(44);
    assertThat(recorded.path("row_end").asText()).isEqualTo("of");

    Path bad = dir.resolve("bad");
    assertThatThrownBy(() -> HfImport.run(model, bad,
        ImageLayout.load(layoutFile("{\"count\": 64, \"first_id\": 3}", "\"the\"").toString()), ProgressListener.none()))
        .hasMessageContaining("outside the model's vocabulary").hasMessageContaining("nothing was written");
    assertThat(bad).doesNotExist();
  }
}
