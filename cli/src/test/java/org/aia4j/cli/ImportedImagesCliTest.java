package org.aia4j.cli;

import static org.aia4j.cli.CliTest.aia;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.aia4j.api.Registries;
import org.aia4j.api.model.AnswerRequest;
import org.aia4j.api.model.GenerationRequest;
import org.aia4j.api.model.ModelProvider;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.api.model.UnifiedModel;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.onnx.export.PatchVqGraphs;
import org.aia4j.onnx.vq.OnnxVqTokenizer;
import org.aia4j.testkit.PythonFixtures;
import org.aia4j.tokenizers.PatchVqTokenizer;
import org.aia4j.tokenizers.PatchVqTrainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An imported decoder that reads and draws images: {@code aia import --layout --image-tokenizer}
 * with an onnx-vq tokenizer (aia4j's patch codebook as two ONNX graphs, 32 x 32 images as 4 x 4
 * codes). Its drawing follows the layout (codes only, row ends fed) with classifier-free guidance,
 * checked against the float64 reference's logits; its answers equal the reference's greedy ids;
 * both engines draw the same images; and {@code aia eval} runs on it.
 */
class ImportedImagesCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;

  private static Path hf;
  private static Path imported;
  private static JsonNode vocab;
  private static ImageTokenizer vq;

  private static BufferedImage scene(long seed) {
    Random random = new Random(seed);
    BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, 32, 32);
    for (int r = 0; r < 2; r++) {
      g.setColor(new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256)));
      g.fillRect(8 * random.nextInt(3), 8 * random.nextInt(3), 8 + 8 * random.nextInt(2), 8);
    }
    g.dispose();
    return image;
  }

  @BeforeAll
  static void fixture() throws Exception {
    PythonFixtures.requireModule("torch", "python3-torch");
    hf = PythonFixtures.tinyLlama();
    vocab = JSON.readTree(hf.resolve("tokenizer.json").toFile()).path("model").path("vocab");
    List<BufferedImage> images = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      images.add(scene(i));
    }
    PatchVqTokenizer patches = PatchVqTrainer.defaults().withPatchSize(8).withCodebookSize(16).withSeed(1).fit(images);
    int[][] codebook = new int[patches.usedCodes()][];
    for (int c = 0; c < codebook.length; c++) {
      codebook[c] = patches.patch(c);
    }
    Path graphs = tmp.resolve("vq");
    PatchVqGraphs.write(graphs, 32, 8, 16, codebook);
    imported = tmp.resolve("imported");
    CliTest.Run run = aia("import", "--hf", hf.toString(), "--out", imported.toString(), "--layout",
        PythonFixtures.tinyLlamaLayout().toString(), "--image-tokenizer", graphs.toString());
    assertThat(run.exit()).as(run.err()).isZero();
    vq = OnnxVqTokenizer.load(imported.resolve("tokenizers"));
  }

  private static int id(String word) {
    return vocab.get(word).asInt();
  }

  private static int argmaxCode(double[] logits, int used) {
    int best = 48;
    for (int id = 48; id < 48 + used; id++) {
      best = logits[id] > logits[best] ? id : best;
    }
    return best - 48;
  }

  private static double[] last(JsonNode logits) {
    JsonNode row = logits.get(logits.size() - 1);
    double[] out = new double[row.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = row.get(i).asDouble();
    }
    return out;
  }

  @Test
  void drawingIsGuidedAndConstrainedAsTheLayoutSaysOnBothEngines() throws Exception {
    JsonNode config = JSON.readTree(imported.resolve("config.json").toFile());
    assertThat(config.path("tokenizers").path("image").asText()).isEqualTo("onnx-vq");
    SamplingSettings greedy = new SamplingSettings(3.0, 0, 0, 7);
    List<BufferedImage> djl;
    List<BufferedImage> onnx;
    try (UnifiedModel model = Registries.models().get("djl").load(imported, Map.of())) {
      assertThat(model.handlesImages()).isTrue();
      djl = model.generate(List.of(new GenerationRequest("red circle", 2, greedy))).get(0);
    }
    try (UnifiedModel model = Registries.models().get("onnx").load(imported, Map.of())) {
      onnx = model.generate(List.of(new GenerationRequest("red circle", 1, greedy))).get(0);
    }
    assertThat(djl).hasSize(2);
    int[] codes = vq.encode(djl.get(0));
    assertThat(vq.encode(onnx.get(0))).isEqualTo(codes);
    assertThat(vq.encode(djl.get(1))).as("greedy: every sample the same").isEqualTo(codes);
    assertThat(Arrays.stream(codes).distinct().count()).as("a drawing, not one code repeated").isGreaterThan(1);

    // The reference, written out: the first code from u + 3 (c - u) at the end of each prefix, then the
    // second after feeding it, then (after the row's four codes) the row end "of" is fed, not drawn.
    int[] cond = {1, id("draw"), id("red"), id("circle"), id("image")};
    int[] uncond = {1, id("small"), id("image")};
    int[] condNext = Arrays.copyOf(cond, cond.length + 1);
    int[] uncondNext = Arrays.copyOf(uncond, uncond.length + 1);
    JsonNode first = JSON.readTree(PythonFixtures.llamaReference(hf, new int[][] {cond, uncond}, 0).toFile());
    int code0 = argmaxCode(guided(last(first.get("logits").get(0)), last(first.get("logits").get(1))), vq.usedCodes());
    assertThat(codes[0]).isEqualTo(code0);
    condNext[cond.length] = 48 + code0;
    uncondNext[uncond.length] = 48 + code0;
    JsonNode second = JSON.readTree(PythonFixtures.llamaReference(hf, new int[][] {condNext, uncondNext}, 0).toFile());
    assertThat(codes[1]).isEqualTo(argmaxCode(guided(last(second.get("logits").get(0)),
        last(second.get("logits").get(1))), vq.usedCodes()));
    int[] afterRow = new int[cond.length + 5];
    System.arraycopy(cond, 0, afterRow, 0, cond.length);
    for (int c = 0; c < 4; c++) {
      afterRow[cond.length + c] = 48 + codes[c];
    }
    afterRow[cond.length + 4] = id("of");
    int[] uncondRow = new int[uncond.length + 5];
    System.arraycopy(uncond, 0, uncondRow, 0, uncond.length);
    System.arraycopy(afterRow, cond.length, uncondRow, uncond.length, 5);
    JsonNode third = JSON.readTree(PythonFixtures.llamaReference(hf, new int[][] {afterRow, uncondRow}, 0).toFile());
    assertThat(codes[4]).isEqualTo(argmaxCode(guided(last(third.get("logits").get(0)),
        last(third.get("logits").get(1))), vq.usedCodes()));
  }

  private static double[] guided(double[] cond, double[] uncond) {
    double[] out = new double[cond.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = uncond[i] + 3.0 * (cond[i] - uncond[i]);
    }
    return out;
  }

  @Test
  void answersAreTheReferenceGreedyContinuationAndEvalRuns() throws Exception {
    BufferedImage picture = scene(3);
    int[] codes = vq.encode(picture);
    int of = id("of");
    int[] prefix = {1, id("image"), 48 + codes[0], 48 + codes[1], 48 + codes[2], 48 + codes[3], of, 48 + codes[4],
        48 + codes[5], 48 + codes[6], 48 + codes[7], of, 48 + codes[8], 48 + codes[9], 48 + codes[10], 48 + codes[11],
        of, 48 + codes[12], 48 + codes[13], 48 + codes[14], 48 + codes[15], of, id("and"), id("picture"), id("what"),
        id("colour")};
    JsonNode reference = JSON.readTree(PythonFixtures.llamaReference(hf, new int[][] {prefix}, 3).toFile());
    List<Integer> greedy = new ArrayList<>();
    reference.get("greedy").get(0).forEach(v -> greedy.add(v.asInt()));
    int stop = greedy.indexOf(2);
    List<Integer> expected = stop < 0 ? greedy : greedy.subList(0, stop);
    String answer;
    try (UnifiedModel model = Registries.models().get("onnx").load(imported, Map.of())) {
      answer = model.answer(List.of(new AnswerRequest(picture, "colour", 3, SamplingSettings.greedy()))).get(0);
    }
    com.fasterxml.jackson.databind.JsonNode words = vocab;
    List<String> tokens = new ArrayList<>();
    for (int idValue : expected) {
      words.fields().forEachRemaining(e -> {
        if (e.getValue().asInt() == idValue) {
          tokens.add(e.getKey());
        }
      });
    }
    assertThat(answer).isEqualTo(String.join(" ", tokens).strip()).isNotBlank();

    Path eval = tmp.resolve("eval");
    CliTest.Run run = aia("eval", "--checkpoint", imported.toString(), "--world", "shapes", "--out", eval.toString(),
        "--limit", "2", "--samples", "1");
    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode summary = JSON.readTree(eval.resolve("summary.json").toFile());
    assertThat(summary.toString()).contains("geneval").contains("mmbench");
  }

  @Test
  void anExportOfTheImportDrawsAndAnswersAsTheImportDoes() throws Exception {
    Path export = tmp.resolve("export");
    CliTest.Run run = aia("export", "--checkpoint", imported.toString(), "--out", export.toString());
    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode config = JSON.readTree(export.resolve("config.json").toFile());
    assertThat(config.path("format").asText()).isEqualTo("aia4j-onnx");
    assertThat(config.has("layout")).isFalse();
    assertThat(config.path("imported_from").path("model_type").asText()).isEqualTo("llama");
    assertThat(config.path("image_layout")).isEqualTo(JSON.readTree(imported.resolve("config.json").toFile())
        .path("image_layout"));
    assertThat(export.resolve("tokenizers/vq_decoder.onnx")).exists();

    SamplingSettings sampled = new SamplingSettings(3.0, 0.8, 0, 11);
    BufferedImage picture = scene(5);
    List<BufferedImage> fromImport;
    String answerOfImport;
    try (UnifiedModel model = Registries.models().get("onnx").load(imported, Map.of())) {
      fromImport = model.generate(List.of(new GenerationRequest("blue square", 2, sampled))).get(0);
      answerOfImport = model.answer(List.of(new AnswerRequest(picture, "shape", 3, SamplingSettings.greedy()))).get(0);
    }
    ModelProvider provider = Registries.models().all().stream().filter(p -> p.canLoad(export)).findFirst()
        .orElseThrow();
    assertThat(provider.name()).isEqualTo("onnx");
    try (UnifiedModel model = provider.load(export, Map.of())) {
      assertThat(model.handlesImages()).isTrue();
      assertThat(model.info().backend()).isEqualTo("onnx");
      List<BufferedImage> fromExport = model.generate(List.of(new GenerationRequest("blue square", 2, sampled))).get(0);
      for (int i = 0; i < 2; i++) {
        assertThat(vq.encode(fromExport.get(i))).as("sample %d", i).isEqualTo(vq.encode(fromImport.get(i)));
      }
      assertThat(model.answer(List.of(new AnswerRequest(picture, "shape", 3, SamplingSettings.greedy()))).get(0))
          .isEqualTo(answerOfImport);
      assertThat(model.textCompletion()).isPresent();
    }

    CliTest.Run hfExport = aia("export", "--checkpoint", hf.toString(), "--out", tmp.resolve("hf-export").toString());
    assertThat(hfExport.exit()).isNotZero();
    assertThat(hfExport.err()).contains("Hugging Face model directory: import it first");
    assertThat(tmp.resolve("hf-export")).doesNotExist();
  }

  @Test
  void anImageTokenizerThatDoesNotFitTheLayoutIsRefusedWritingNothing() throws Exception {
    Path small = tmp.resolve("vq8");
    PatchVqGraphs.write(small, 32, 8, 8, new int[][] {new int[64]});
    Path out = tmp.resolve("never");
    CliTest.Run mismatch = aia("import", "--hf", hf.toString(), "--out", out.toString(), "--layout",
        PythonFixtures.tinyLlamaLayout().toString(), "--image-tokenizer", small.toString());
    assertThat(mismatch.exit()).isNotZero();
    assertThat(mismatch.err()).contains("has 8 codes but layout 'tiny' has 16").doesNotContain("\tat org.");
    assertThat(out).doesNotExist();
    CliTest.Run noLayout = aia("import", "--hf", hf.toString(), "--out", out.toString(), "--image-tokenizer",
        small.toString());
    assertThat(noLayout.exit()).isNotZero();
    assertThat(noLayout.err()).contains("--image-tokenizer needs --layout");
    assertThat(out).doesNotExist();
    assertThat(Files.exists(small.resolve("vq.json"))).isTrue();
  }
}
