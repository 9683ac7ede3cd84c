package org.aia4j.cli;

import static org.aia4j.cli.CliTest.aia;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aia4j.api.checkpoint.Manifest;
import org.aia4j.inference.profile.MutualKnn;
import org.aia4j.testkit.PythonFixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A researcher's path with their own model and pre-tokenized data, as typed: {@code aia import
 * --layout}, {@code aia profile --data} (checked against the float64 reference on ids written out
 * by hand from the layout), {@code aia train --init} with AIA, {@code --resume}, then profiling and
 * completing the fine-tune; and the refusals on the way (rows that do not fit, an import without a
 * layout), each leaving nothing behind.
 */
class ImportFineTuneCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path hf;
  private static Path layout;
  private static JsonNode vocab;

  @TempDir Path tmp;

  @BeforeAll
  static void fixture() throws Exception {
    PythonFixtures.requireModule("torch", "python3-torch");
    hf = PythonFixtures.tinyLlama();
    layout = PythonFixtures.tinyLlamaLayout();
    vocab = JSON.readTree(hf.resolve("tokenizer.json").toFile()).path("model").path("vocab");
  }

  private static int id(String word) {
    return vocab.get(word).asInt();
  }

  /** Eight rows of each task, codes of 2x2 images in [0, 16). */
  private Path data() throws Exception {
    StringBuilder rows = new StringBuilder();
    String[] colours = {"red", "green", "blue", "white"};
    String[] shapes = {"circle", "square", "triangle", "star"};
    for (int i = 0; i < 8; i++) {
      String codes = "[" + i % 16 + ", " + (i + 3) % 16 + ", " + (2 * i) % 16 + ", " + (i + 9) % 16 + "]";
      rows.append("{\"task\": \"generation\", \"prompt\": \"").append(colours[i % 4]).append(' ')
          .append(shapes[i / 2 % 4]).append("\", \"codes\": ").append(codes).append("}\n");
      rows.append("{\"task\": \"understanding\", \"codes\": ").append(codes).append(", \"prompt\": \"colour\", "
          + "\"answer\": \"").append(colours[i % 4]).append("\"}\n");
    }
    Path file = tmp.resolve("data.jsonl");
    Files.writeString(file, rows, StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void importProfileFineTuneWithAiaResumeAndProfileAgain() throws Exception {
    Path data = data();
    Path imported = tmp.resolve("imported");
    CliTest.Run imports = aia("import", "--hf", hf.toString(), "--out", imported.toString(), "--layout",
        layout.toString());
    assertThat(imports.exit()).as(imports.err()).isZero();

    // I_l of the first two generation rows, against the reference run on the ids the layout writes.
    Path profileFile = tmp.resolve("gen.json");
    CliTest.Run profile = aia("profile", "--checkpoint", imported.toString(), "--task", "gen", "--data",
        data.toString(), "--samples", "2", "--out", profileFile.toString());
    assertThat(profile.exit()).as(profile.err()).isZero();
    int of = id("of");
    int[][] sequences = {
        {1, id("draw"), id("red"), id("circle"), id("image"), 48, 51, of, 48, 57, of, id("and"), id("picture"), 2},
        {1, id("draw"), id("green"), id("circle"), id("image"), 49, 52, of, 50, 58, of, id("and"), id("picture"), 2}};
    JsonNode reference = JSON.readTree(PythonFixtures.llamaReference(hf, sequences, 0).toFile());
    int[] queries = {5, 6, 8, 9};
    int[] keys = {0, 1, 2, 3}; // BOS counted as text, as by default
    JsonNode written = JSON.readTree(profileFile.toFile());
    assertThat(written.get("samples").asInt()).isEqualTo(2);
    for (int l = 0; l < 2; l++) {
      double[] mass = new double[2];
      for (int s = 0; s < 2; s++) {
        JsonNode heads = reference.get("attention").get(s).get(l);
        for (JsonNode head : heads) {
          for (int q : queries) {
            for (int k : keys) {
              mass[s] += head.get(q).get(k).asDouble();
            }
          }
        }
        mass[s] /= heads.size() * queries.length;
      }
      assertThat(written.get("mean").get(l).asDouble()).as("layer %d", l).isCloseTo((mass[0] + mass[1]) / 2,
          org.assertj.core.data.Offset.offset(1e-5));
      assertThat(written.get("source").get("per_sequence").get(1).get(l).asDouble()).isCloseTo(mass[1],
          org.assertj.core.data.Offset.offset(1e-5));
    }

    // A fine-tune with AIA from the import, in its own layout.
    Path tuned = tmp.resolve("tuned");
    CliTest.Run train = aia("train", "--init", imported.toString(), "--data", data.toString(), "--preset", "tiny-llama",
        "--steps", "3", "--stop-after", "2", "--aia", "on", "--out", tuned.toString());
    assertThat(train.exit()).as(train.err()).isZero();
    CliTest.Run resumed = aia("train", "--resume", "--data", data.toString(), "--out", tuned.toString());
    assertThat(resumed.exit()).as(resumed.err()).isZero();
    assertThat(resumed.out()).contains("Resuming").contains("step 2 of 3");
    JsonNode config = JSON.readTree(tuned.resolve("config.json").toFile());
    assertThat(config.get("step").asInt()).isEqualTo(3);
    assertThat(config.path("model").path("architecture").path("family").asText()).isEqualTo("llama");
    assertThat(config.path("image_layout").path("name").asText()).isEqualTo("tiny");
    assertThat(config.path("imported_from").path("model_type").asText()).isEqualTo("llama");
    assertThat(config.has("layout")).isFalse();
    assertThat(config.path("initialized_from").asText()).contains(imported.toAbsolutePath().toString());
    assertThat(config.path("training").path("aia").asBoolean()).isTrue();
    List<String> metrics = Files.readAllLines(tuned.resolve("metrics.jsonl"));
    assertThat(metrics).hasSize(3);
    for (String line : metrics) {
      JsonNode step = JSON.readTree(line);
      assertThat(step.path("aia").path("und").asDouble(Double.NaN)).isFinite();
      assertThat(step.path("aia").path("gen").asDouble(Double.NaN)).isFinite();
      assertThat(step.path("interaction").path("gen")).hasSize(2);
    }
    assertThat(Manifest.read(tuned).digests().get("model.safetensors"))
        .isNotEqualTo(Manifest.read(imported).digests().get("model.safetensors"));

    // The fine-tune is a model like the import: profiled, completed.
    CliTest.Run again = aia("profile", "--checkpoint", tuned.toString(), "--task", "und", "--data", data.toString(),
        "--samples", "4", "--backend", "onnx", "--out", tmp.resolve("und.json").toString());
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(JSON.readTree(tmp.resolve("und.json").toFile()).get("samples").asInt()).isEqualTo(4);
    CliTest.Run complete = aia("complete", "--checkpoint", tuned.toString(), "--prompt", "red circle", "--json");
    assertThat(complete.exit()).as(complete.err()).isZero();
    assertThat(JSON.readTree(complete.out().strip()).get("ids").isArray()).isTrue();
  }

  @Test
  void alignmentOfAnImportOnItsOwnSamplesIsTheReferencesHiddenStatesCompared() throws Exception {
    Path data = data();
    Path imported = tmp.resolve("imported");
    assertThat(aia("import", "--hf", hf.toString(), "--out", imported.toString(), "--layout", layout.toString())
        .exit()).isZero();
    Path out = tmp.resolve("align.json");
    CliTest.Run align = aia("align", "--checkpoint", imported.toString(), "--task", "gen", "--data", data.toString(),
        "--samples", "8", "--k", "2", "--out", out.toString());
    assertThat(align.exit()).as(align.err()).isZero();

    // The eight generation rows as the layout writes them; the prompt's words (template included) are
    // the text, the codes the image; BOS, markers, row ends and EOS are neither.
    String[] colours = {"red", "green", "blue", "white"};
    String[] shapes = {"circle", "square", "triangle", "star"};
    int of = id("of");
    int[][] sequences = new int[8][];
    for (int i = 0; i < 8; i++) {
      int[] c = {i % 16, (i + 3) % 16, (2 * i) % 16, (i + 9) % 16};
      sequences[i] = new int[] {1, id("draw"), id(colours[i % 4]), id(shapes[i / 2 % 4]), id("image"), 48 + c[0],
          48 + c[1], of, 48 + c[2], 48 + c[3], of, id("and"), id("picture"), 2};
    }
    JsonNode reference = JSON.readTree(PythonFixtures.llamaReference(hf, sequences, 0, true).toFile());
    int[] image = {5, 6, 8, 9};
    int[] text = {1, 2, 3};
    JsonNode written = JSON.readTree(out.toFile());
    assertThat(written.path("samples").asInt()).isEqualTo(8);
    for (int l = 0; l < 2; l++) {
      float[][] pooledImage = new float[8][];
      float[][] pooledText = new float[8][];
      for (int s = 0; s < 8; s++) {
        JsonNode states = reference.get("hidden").get(s).get(l);
        pooledImage[s] = mean(states, image);
        pooledText[s] = mean(states, text);
      }
      assertThat(written.path("alignment").get(l).asDouble()).as("layer %d", l)
          .isEqualTo(MutualKnn.score(pooledImage, pooledText, 2));
    }
    assertThat(written.path("source").path("layout").asText()).isEqualTo("tiny");
  }

  private static float[] mean(JsonNode states, int[] positions) {
    float[] out = new float[states.get(0).size()];
    for (int p : positions) {
      for (int d = 0; d < out.length; d++) {
        out[d] += (float) (states.get(p).get(d).asDouble() / positions.length);
      }
    }
    return out;
  }

  @Test
  void rowsThatDoNotFitAndImportsWithoutALayoutAreRefusedLeavingNothing() throws Exception {
    Path imported = tmp.resolve("imported");
    assertThat(aia("import", "--hf", hf.toString(), "--out", imported.toString(), "--layout", layout.toString())
        .exit()).isZero();
    Path out = tmp.resolve("never");
    List<String[]> bad = new ArrayList<>();
    bad.add(new String[] {"[1, 2, 3]", "line 2", "3 image codes are not a square grid"});
    bad.add(new String[] {"[1, 2, 16, 0]", "line 2", "image code 16 at position 2"});
    for (String[] row : bad) {
      Path data = tmp.resolve("bad.jsonl");
      Files.writeString(data, "{\"task\": \"generation\", \"prompt\": \"red\", \"codes\": [0, 1, 2, 3]}\n"
          + "{\"task\": \"understanding\", \"codes\": " + row[0] + ", \"prompt\": \"colour\", \"answer\": \"red\"}\n",
          StandardCharsets.UTF_8);
      CliTest.Run train = aia("train", "--init", imported.toString(), "--data", data.toString(), "--preset",
          "tiny-llama", "--steps", "2", "--out", out.toString());
      assertThat(train.exit()).as(row[0]).isNotZero();
      assertThat(train.err()).contains("bad.jsonl " + row[1]).contains(row[2]).doesNotContain("\tat org.");
      assertThat(out).doesNotExist();
      CliTest.Run profile = aia("profile", "--checkpoint", imported.toString(), "--task", "und", "--data",
          data.toString(), "--out", tmp.resolve("p.json").toString());
      assertThat(profile.exit()).isNotZero();
      assertThat(profile.err()).contains(row[2]);
      assertThat(tmp.resolve("p.json")).doesNotExist();
    }

    Path plain = tmp.resolve("plain");
    assertThat(aia("import", "--hf", hf.toString(), "--out", plain.toString()).exit()).isZero();
    Path data = data();
    for (Path init : List.of(plain, hf)) {
      CliTest.Run train = aia("train", "--init", init.toString(), "--data", data.toString(), "--preset", "tiny-llama",
          "--steps", "2", "--out", out.toString());
      assertThat(train.exit()).as("%s", init).isNotZero();
      assertThat(train.err()).as("%s", init).contains("records no image layout").contains("--layout");
      assertThat(out).doesNotExist();
    }
    CliTest.Run world = aia("train", "--init", imported.toString(), "--preset", "tiny-llama", "--steps", "2", "--out",
        out.toString());
    assertThat(world.err()).contains("is an imported model").contains("--data");
    assertThat(out).doesNotExist();
  }
}
