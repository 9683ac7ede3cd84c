package org.aia4j.evaluation.geneval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.aia4j.evaluation.io.JsonLines;
import org.aia4j.evaluation.world.Shape;
import org.aia4j.evaluation.world.ShapesWorld;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole pipeline as the CLI runs it: metadata file, oracle render, score. */
class GenEvalScorerTest {
  private static final int PROMPTS = 216;

  @TempDir
  static Path shared;

  static Path metadata;
  static Path oracle32;

  @TempDir
  Path tmp;

  @BeforeAll
  static void renderDefaultSuite() throws IOException {
    metadata = shared.resolve(GenEvalMetadata.FILE_NAME);
    GenEvalMetadata.write(metadata, GenEvalSuite.defaultSuite());
    oracle32 = shared.resolve("oracle32");
    assertThat(GenEvalOracle.render(ShapesWorld.standard(), metadata, oracle32, 4, 32, GenEvalOracle.DEFAULT_SEED)).isEqualTo(PROMPTS);
  }

  @Test
  void oracleScoresPerfectlyAt32() throws IOException {
    Path out = tmp.resolve("scores");
    GenEvalSummary summary = GenEvalScorer.score(ShapesWorld.standard(), oracle32, out);

    assertThat(summary.overall()).isGreaterThanOrEqualTo(0.99);
    assertThat(summary.tasks()).containsOnlyKeys(GenEvalPrompt.TAGS);
    assertThat(summary.tasks().keySet()).containsExactlyElementsOf(GenEvalPrompt.TAGS);
    assertThat(summary.images()).isEqualTo(4 * PROMPTS);
    assertThat(summary.prompts()).isEqualTo(PROMPTS);
    assertThat(summary.imageSize()).isEqualTo(32);

    JsonNode json = JsonLines.MAPPER.readTree(out.resolve(GenEvalScorer.SUMMARY).toFile());
    assertThat(json.get("overall").asDouble()).isEqualTo(summary.overall());
    assertThat(json.get("tasks").get("position").asDouble()).isEqualTo(summary.tasks().get("position"));
    assertThat(json.get("images").asInt()).isEqualTo(4 * PROMPTS);
    assertThat(json.get("scorer").get("position_threshold").asDouble()).isEqualTo(0.1);

    List<JsonNode> results = JsonLines.read(out.resolve(GenEvalScorer.RESULTS));
    assertThat(results).hasSize(4 * PROMPTS);
    JsonNode first = results.get(0);
    assertThat(first.get("filename").asText()).isEqualTo(oracle32.resolve("00000/samples/0000.png").toString());
    assertThat(first.get("tag").asText()).isEqualTo("single_object");
    assertThat(first.get("metadata").asText()).isEqualTo(GenEvalSuite.singleObject(Shape.CIRCLE).toMetadataLine());
    assertThat(first.get("details").asText()).startsWith("{\"circle\": [[");
  }

  @Test
  void oracleScoresPerfectlyAt64() throws IOException {
    Path images = tmp.resolve("oracle64");
    GenEvalOracle.render(ShapesWorld.standard(), metadata, images, 2, 64, GenEvalOracle.DEFAULT_SEED); // every prompt; 2 samples keep it fast
    try (var pngs = Files.walk(images)) {
      BufferedImage any = org.aia4j.evaluation.io.Images.read(pngs.filter(p -> p.toString().endsWith(".png"))
          .findFirst().orElseThrow());
      assertThat(any.getWidth()).isEqualTo(64);
    }

    GenEvalSummary summary = GenEvalScorer.score(ShapesWorld.standard(), images, tmp.resolve("scores"));
    assertThat(summary.overall()).isGreaterThanOrEqualTo(0.99);
    assertThat(summary.imageSize()).isEqualTo(64);
    assertThat(summary.images()).isEqualTo(2 * PROMPTS);
  }

  @Test
  void imagesShuffledAcrossPromptsScoreLow() throws IOException {
    Path shuffled = tmp.resolve("shuffled");
    GenEvalLayout.writeShuffled(oracle32, shuffled, 2024);

    GenEvalSummary summary = GenEvalScorer.score(ShapesWorld.standard(), shuffled, tmp.resolve("scores"));
    assertThat(summary.overall()).isLessThanOrEqualTo(0.35);
  }

  @Test
  void summaryFollowsSummaryScoresPy() {
    GenEvalPrompt a = GenEvalSuite.singleObject(Shape.CIRCLE);
    GenEvalPrompt b = GenEvalSuite.singleObject(Shape.SQUARE);
    GenEvalPrompt c = GenEvalSuite.counting(Shape.CROSS, 2);
    List<GenEvalResult> results = List.of(
        result(a, true), result(a, false), result(b, false), result(b, false), result(c, true), result(c, true),
        result(c, true), result(c, false));

    GenEvalSummary summary = GenEvalScorer.summarise(results, 32, null, GenEvalScorer.settings(ShapesWorld.standard()));
    assertThat(summary.tasks()).containsExactly(java.util.Map.entry("single_object", 0.25),
        java.util.Map.entry("counting", 0.75));
    assertThat(summary.overall()).isEqualTo(0.5); // per-tag mean, not the 4/8 image mean by chance
    assertThat(summary.correctImages()).isEqualTo(0.5);
    assertThat(summary.correctPrompts()).isEqualTo(2 / 3.0); // any correct image makes a prompt correct
    assertThat(summary.taskCounts().get("counting")).isEqualTo(new GenEvalSummary.TaskCount(3, 4));
  }

  @Test
  void unreadableImageSizeIsAClearErrorAndWritesNothing() throws IOException {
    Path images = tmp.resolve("images48");
    GenEvalLayout.writePrompt(images, 0, GenEvalSuite.singleObject(Shape.CIRCLE),
        List.of(new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB)));
    Path out = tmp.resolve("scores");

    assertThatThrownBy(() -> GenEvalScorer.score(ShapesWorld.standard(), images, out))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(images.resolve("00000/samples/0000.png").toString())
        .hasMessageContaining("cannot read 40x40 images");
    assertThat(out).doesNotExist();
  }

  @Test
  void badImageLeavesEarlierResultsUntouched() throws IOException {
    Path images = tmp.resolve("images");
    GenEvalOracle oracle = new GenEvalOracle(org.aia4j.evaluation.world.WorldSpec.standard());
    GenEvalPrompt prompt = GenEvalSuite.singleObject(Shape.CIRCLE);
    GenEvalLayout.writePrompt(images, 0, prompt, oracle.images(prompt, 0, 2, 1));
    Path out = tmp.resolve("scores");
    GenEvalScorer.score(ShapesWorld.standard(), images, out);
    byte[] before = Files.readAllBytes(out.resolve(GenEvalScorer.RESULTS));

    Path broken = images.resolve("00000/samples/0001.png");
    Files.writeString(broken, "not a png");
    assertThatThrownBy(() -> GenEvalScorer.score(ShapesWorld.standard(), images, out))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(broken.toString());
    assertThat(Files.readAllBytes(out.resolve(GenEvalScorer.RESULTS))).isEqualTo(before);
    try (var files = Files.list(out)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(GenEvalScorer.RESULTS, GenEvalScorer.SUMMARY);
    }
  }

  private static GenEvalResult result(GenEvalPrompt prompt, boolean correct) {
    return new GenEvalResult("x.png", prompt.tag(), prompt.prompt(), correct, correct ? "" : "wrong",
        prompt.toMetadataLine(), "{}", "[]");
  }
}
