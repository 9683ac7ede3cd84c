package org.aia4j.cli;

import static org.aia4j.cli.CliTest.aia;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.aia4j.api.Registries;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.api.model.UnifiedModel;
import org.aia4j.testkit.PythonFixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The researcher's first steps with a Hugging Face model, as typed: {@code aia import}, {@code aia
 * complete} and {@code aia profile --sequences} on the tiny LLaMA of {@code make_tiny_llama.py},
 * checked against the float64 reference of {@code llama_reference.py}.
 */
class RealModelCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int[] SEQUENCE = {1, 5, 9, 3, 7, 11, 13, 2, 40, 41};
  private static final int GREEDY = 6;

  private static Path hf;
  private static JsonNode reference;

  @TempDir Path tmp;

  @BeforeAll
  static void fixture() throws Exception {
    PythonFixtures.requireModule("torch", "python3-torch");
    hf = PythonFixtures.tinyLlama();
    reference = JSON.readTree(PythonFixtures.llamaReference(hf, new int[][] {SEQUENCE}, GREEDY).toFile());
  }

  private static List<Integer> ids(JsonNode array) {
    List<Integer> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asInt()));
    return out;
  }

  @Test
  void importThenCompleteAndProfileMatchTheReference() throws Exception {
    Path checkpoint = tmp.resolve("imported");
    CliTest.Run imported = aia("import", "--hf", hf.toString(), "--out", checkpoint.toString());
    assertThat(imported.exit()).as(imported.err()).isZero();
    assertThat(imported.out()).contains("llama").contains("model-00001-of-00002.safetensors  sha256 ");

    // The reference's greedy ids, cut after the tokenizer's </s> (id 2) where the command stops.
    List<Integer> expected = ids(reference.get("greedy").get(0));
    int stop = expected.indexOf(2);
    List<Integer> untilStop = stop < 0 ? expected : expected.subList(0, stop + 1);
    for (Path model : List.of(checkpoint, hf)) {
      CliTest.Run complete = aia("complete", "--checkpoint", model.toString(), "--ids",
          "1,5,9,3,7,11,13,2,40,41", "--max-tokens", Integer.toString(GREEDY), "--json");
      assertThat(complete.exit()).as(complete.err()).isZero();
      JsonNode line = JSON.readTree(complete.out().strip());
      assertThat(ids(line.get("ids"))).as("%s", model).isEqualTo(untilStop);
      assertThat(line.get("text").isTextual()).isTrue();
    }

    // A text prompt goes through tokenizer.json with one <s>: the same as feeding those ids.
    JsonNode vocab = JSON.readTree(hf.resolve("tokenizer.json").toFile()).path("model").path("vocab");
    String ids = "1," + vocab.get("how").asInt() + "," + vocab.get("many").asInt() + "," + vocab.get("red").asInt();
    CliTest.Run byText = aia("complete", "--checkpoint", checkpoint.toString(), "--prompt", "how many red", "--json");
    CliTest.Run byIds = aia("complete", "--checkpoint", checkpoint.toString(), "--ids", ids, "--json");
    assertThat(byText.exit()).as(byText.err()).isZero();
    assertThat(byText.out()).isEqualTo(byIds.out());
    CliTest.Run onOnnx = aia("complete", "--checkpoint", checkpoint.toString(), "--ids", ids, "--json", "--backend", "onnx");
    assertThat(onOnnx.exit()).as(onOnnx.err()).isZero();
    assertThat(onOnnx.out()).isEqualTo(byIds.out());

    // A chat reply: the template's text tokenized without added specials, fed as those ids would be.
    JsonNode words = JSON.readTree(hf.resolve("tokenizer.json").toFile()).path("model").path("vocab");
    String rendered = "1," + words.get("how").asInt() + "," + words.get("count").asInt() + "," + words.get("me").asInt()
        + "," + words.get("red").asInt() + "," + words.get("show").asInt();
    CliTest.Run chat = aia("complete", "--checkpoint", checkpoint.toString(), "--system", "count", "--chat", "red",
        "--json", "--max-tokens", "4");
    CliTest.Run chatIds = aia("complete", "--checkpoint", checkpoint.toString(), "--ids", rendered, "--json",
        "--max-tokens", "4");
    assertThat(chat.exit()).as(chat.err()).isZero();
    assertThat(JSON.readTree(chat.out()).get("ids")).isEqualTo(JSON.readTree(chatIds.out()).get("ids"));
    CliTest.Run lonely = aia("complete", "--checkpoint", checkpoint.toString(), "--system", "count", "--prompt", "red");
    assertThat(lonely.exit()).isNotZero();
    assertThat(lonely.err()).contains("--system goes with --chat");

    Path sequences = tmp.resolve("sequences.jsonl");
    Files.writeString(sequences, "{\"ids\": [1, 5, 9, 3, 7, 11, 13, 2, 40, 41], \"queries\": [8, 9], \"keys\": [1, 2, 3]}\n",
        StandardCharsets.UTF_8);
    Path profileFile = tmp.resolve("profile.json");
    CliTest.Run profile = aia("profile", "--checkpoint", checkpoint.toString(), "--sequences", sequences.toString(),
        "--out", profileFile.toString());
    assertThat(profile.exit()).as(profile.err()).isZero();
    JsonNode written = JSON.readTree(profileFile.toFile());
    assertThat(written.get("samples").asInt()).isEqualTo(1);
    JsonNode layers = reference.get("attention").get(0);
    assertThat(written.get("mean")).hasSize(layers.size());
    for (int l = 0; l < layers.size(); l++) {
      double mass = 0;
      for (JsonNode head : layers.get(l)) {
        for (int q : new int[] {8, 9}) {
          for (int k : new int[] {1, 2, 3}) {
            mass += head.get(q).get(k).asDouble();
          }
        }
      }
      mass /= layers.get(l).size() * 2;
      assertThat(Math.abs(written.get("mean").get(l).asDouble() - mass)).as("layer %d", l).isLessThan(1e-5);
      assertThat(written.get("std").get(l).asDouble()).isZero();
    }
  }

  @Test
  void refusedImportsAndBadSequencesSayWhy() throws Exception {
    Path source = Files.createDirectories(tmp.resolve("source"));
    try (Stream<Path> files = Files.list(hf)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Files.copy(file, source.resolve(file.getFileName()));
      }
    }
    ObjectNode config = (ObjectNode) JSON.readTree(source.resolve("config.json").toFile());
    config.put("model_type", "mistral");
    JSON.writeValue(source.resolve("config.json").toFile(), config);
    Path out = tmp.resolve("never");
    CliTest.Run refused = aia("import", "--hf", source.toString(), "--out", out.toString());
    assertThat(refused.exit()).isNotZero();
    assertThat(refused.err()).contains("mistral").contains("llama");
    assertThat(out).doesNotExist();

    Path layout = tmp.resolve("layout.json");
    Files.writeString(layout, "{\"name\": \"wide\", \"codes\": {\"count\": 100, \"first_id\": 10}, \"begin\": [\"#3\"],"
        + " \"end\": [\"#4\"]}", StandardCharsets.UTF_8);
    CliTest.Run outside = aia("import", "--hf", hf.toString(), "--out", out.toString(), "--layout", layout.toString());
    assertThat(outside.exit()).isNotZero();
    assertThat(outside.err()).contains("ids 10..109, outside the model's vocabulary of 64");
    assertThat(out).doesNotExist();
    CliTest.Run emu3 = aia("import", "--hf", hf.toString(), "--out", out.toString(), "--layout", "emu3");
    assertThat(emu3.exit()).isNotZero();
    assertThat(emu3.err()).contains("layout 'emu3'").contains("is not in the model's tokenizer");
    assertThat(out).doesNotExist();

    // An import without a layout exports as a text decoder; align and profile say what they need instead of
    // failing deep inside.
    Path imported = tmp.resolve("imported");
    assertThat(aia("import", "--hf", hf.toString(), "--out", imported.toString()).exit()).isZero();
    Path export = tmp.resolve("ex");
    CliTest.Run exported = aia("export", "--checkpoint", imported.toString(), "--out", export.toString());
    assertThat(exported.exit()).as(exported.err()).isZero();
    int[][] prompt = {{1, 5, 9, 3}};
    int[][] fromImport;
    try (UnifiedModel model = Registries.models().get("onnx").load(imported, Map.of())) {
      fromImport = model.textCompletion().orElseThrow().complete(prompt, 5, SamplingSettings.greedy(), false);
    }
    try (UnifiedModel model = Registries.models().get("onnx").load(export, Map.of())) {
      assertThat(model.handlesImages()).isFalse();
      assertThat(model.textCompletion().orElseThrow().complete(prompt, 5, SamplingSettings.greedy(), false))
          .isDeepEqualTo(fromImport);
    }
    CliTest.Run alignWorld = aia("align", "--checkpoint", imported.toString(), "--task", "und", "--out",
        tmp.resolve("a.json").toString());
    assertThat(alignWorld.exit()).isEqualTo(1);
    assertThat(alignWorld.err()).contains("is an imported model").contains("--data").doesNotContain("\tat org.");
    CliTest.Run profileWorld = aia("profile", "--checkpoint", imported.toString(), "--task", "und", "--out",
        tmp.resolve("p0.json").toString());
    assertThat(profileWorld.exit()).isEqualTo(1);
    assertThat(profileWorld.err()).contains("is an imported model").contains("--data").contains("--sequences");
    CliTest.Run eval = aia("eval", "--checkpoint", imported.toString(), "--out", tmp.resolve("ev").toString(), "--limit",
        "2");
    assertThat(eval.exit()).isEqualTo(1);
    assertThat(eval.err()).contains("without an image-token layout").doesNotContain("\tat org.");

    Path sequences = tmp.resolve("bad.jsonl");
    Files.writeString(sequences, "{\"ids\": [1, 2], \"queries\": [1], \"keys\": [0]}\n{\"ids\": [1, 2], \"queries\": [5],"
        + " \"keys\": [0]}\n", StandardCharsets.UTF_8);
    CliTest.Run bad = aia("profile", "--checkpoint", hf.toString(), "--sequences", sequences.toString(), "--out",
        tmp.resolve("p.json").toString());
    assertThat(bad.exit()).isNotZero();
    assertThat(bad.err()).contains("line 2").contains("position 5");
    assertThat(tmp.resolve("p.json")).doesNotExist();
  }
}
