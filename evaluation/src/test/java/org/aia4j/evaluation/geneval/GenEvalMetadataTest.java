package org.aia4j.evaluation.geneval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.aia4j.evaluation.world.Shape;
import org.aia4j.evaluation.world.ShapesWorld;
import org.aia4j.evaluation.world.WorldColor;
import org.aia4j.evaluation.world.WorldSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenEvalMetadataTest {

  @TempDir
  Path tmp;

  @Test
  void officialFormatFixtureParsesAndIsWrittenBackByteForByte() throws Exception {
    Path fixture = fixture();
    List<GenEvalPrompt> prompts = GenEvalMetadata.read(fixture);

    assertThat(prompts).extracting(GenEvalPrompt::tag).containsExactlyElementsOf(GenEvalPrompt.TAGS);
    assertThat(prompts).containsExactly(
        GenEvalSuite.singleObject(Shape.TRIANGLE),
        GenEvalSuite.twoObject(Shape.CROSS, Shape.CIRCLE),
        GenEvalSuite.counting(Shape.CIRCLE, 3),
        GenEvalSuite.colors(Shape.SQUARE, WorldColor.ORANGE),
        GenEvalSuite.position(Shape.CROSS, SpatialRelation.BELOW, Shape.SQUARE),
        GenEvalSuite.colorAttr(Shape.TRIANGLE, WorldColor.PURPLE, Shape.CIRCLE, WorldColor.BLACK));
    GenEvalPrompt position = prompts.get(4);
    assertThat(position.include().get(0)).isEqualTo(GenEvalClause.of(Shape.SQUARE, 1));
    assertThat(position.include().get(1).position())
        .isEqualTo(new GenEvalPosition(SpatialRelation.BELOW, 0));

    Path copy = tmp.resolve(GenEvalMetadata.FILE_NAME);
    GenEvalMetadata.write(copy, prompts);
    assertThat(Files.readString(copy)).isEqualTo(Files.readString(fixture));
  }

  @Test
  void defaultSuiteRoundTrips() throws IOException {
    List<GenEvalPrompt> suite = GenEvalSuite.defaultSuite();
    Path file = tmp.resolve("evaluation_metadata.jsonl");
    GenEvalMetadata.write(file, suite);

    assertThat(GenEvalMetadata.read(file)).isEqualTo(suite);
    assertThat(Files.readAllLines(file)).hasSize(suite.size())
        .contains("{\"tag\": \"counting\", \"include\": [{\"class\": \"cross\", \"count\": 4}], "
            + "\"exclude\": [{\"class\": \"cross\", \"count\": 5}], \"prompt\": \"a photo of four crosses\"}");
  }

  @Test
  void malformedJsonNamesItsLine() throws IOException {
    Path file = write("""
        {"tag": "single_object", "include": [{"class": "circle", "count": 1}], "prompt": "a photo of a circle"}

        {"tag": "single_object", "include": [{"class": "circle", "count": 1}], "prompt": "a photo of
        """);
    assertThatThrownBy(() -> GenEvalMetadata.read(file))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(file + " line 3: malformed JSON");
  }

  @Test
  void aClassTheWorldDoesNotKnowIsReadAndTheJudgeNamesItWithTheClassesItKnows() throws IOException {
    Path file = write("""
        {"tag": "single_object", "include": [{"class": "circle", "count": 1}], "prompt": "a photo of a circle"}
        {"tag": "two_object", "include": [{"class": "circle", "count": 1}, {"class": "bench", "count": 1}], "prompt": "a photo of a circle and a bench"}
        """);
    List<GenEvalPrompt> prompts = GenEvalMetadata.read(file);
    assertThat(prompts.get(1).include().get(1).className()).isEqualTo("bench");
    assertThatThrownBy(() -> new GenEvalBenchmark(prompts, file.toString(), ShapesWorld.standard()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot judge class 'bench'")
        .hasMessageContaining("circle, square, triangle, cross");
  }

  @Test
  void unknownColourNamesItsLine() throws IOException {
    Path file = write("""
        {"tag": "colors", "include": [{"class": "circle", "count": 1, "color": "teal"}], "prompt": "a photo of a teal circle"}
        """);
    assertThatThrownBy(() -> GenEvalMetadata.read(file))
        .hasMessageContaining(file + " line 1: include[0]: Unknown colour 'teal'");
  }

  @Test
  void strictAboutWhatGenEvalWouldSilentlyIgnoreOrCrashOn() throws IOException {
    assertThatThrownBy(() -> parse("{\"tag\": \"colors\", \"include\": [{\"class\": \"circle\", \"count\": 1, "
        + "\"colour\": \"red\"}], \"prompt\": \"a photo of a red circle\"}"))
        .hasMessageContaining("include[0]: unknown key 'colour'");
    // GenEval matches class names exactly: "circles" is another class, which the world's judge cannot judge.
    GenEvalPrompt plural = parse("{\"tag\": \"single_object\", \"include\": [{\"class\": \"circles\", "
        + "\"count\": 1}], \"prompt\": \"x\"}");
    assertThatThrownBy(() -> GenEvalScorer.requireJudgeable(ShapesWorld.standard(), List.of(plural)))
        .hasMessageContaining("cannot judge class 'circles'");
    assertThatThrownBy(() -> parse("{\"tag\": \"position\", \"include\": [{\"class\": \"circle\", \"count\": 1, "
        + "\"position\": [\"left of\", 0]}], \"prompt\": \"x\"}"))
        .hasMessageContaining("must name an earlier include clause");
    assertThatThrownBy(() -> parse("{\"tag\": \"position\", \"include\": [{\"class\": \"circle\", \"count\": 1}, "
        + "{\"class\": \"square\", \"count\": 1, \"position\": [\"beside\", 0]}], \"prompt\": \"x\"}"))
        .hasMessageContaining("Unknown position relation 'beside'");
    assertThatThrownBy(() -> parse("{\"tag\": \"counting\", \"include\": [{\"class\": \"circle\", \"count\": 0}], "
        + "\"prompt\": \"x\"}"))
        .hasMessageContaining("\"count\" must be an integer >= 1");
  }

  @Test
  void writesPythonJsonDumpsFormat() {
    assertThat(PythonJson.pyFloat(12.0)).isEqualTo("12.0");
    assertThat(PythonJson.pyFloat(0.8333333333333334)).isEqualTo("0.8333333333333334");
    assertThat(PythonJson.pyFloat(1e-5)).isEqualTo("1e-05");
    assertThat(PythonJson.pyFloat(0.0001)).isEqualTo("0.0001");
    assertThat(PythonJson.pyFloat(1.5e16)).isEqualTo("1.5e+16");
    assertThat(PythonJson.pyFloat(-123456789.0)).isEqualTo("-123456789.0");
    GenEvalPrompt prompt = GenEvalPrompt.of("single_object", "un cercle \"é\"", GenEvalClause.of(Shape.CIRCLE, 1));
    assertThat(prompt.toMetadataLine()).isEqualTo("{\"tag\": \"single_object\", \"include\": [{\"class\": "
        + "\"circle\", \"count\": 1}], \"prompt\": \"un cercle \\\"\\u00e9\\\"\"}");
  }

  private static GenEvalPrompt parse(String line) throws IOException {
    return GenEvalMetadata.parse(line, "test");
  }

  private Path write(String text) throws IOException {
    Path file = tmp.resolve("metadata.jsonl");
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }

  static Path fixture() throws URISyntaxException {
    return Path.of(GenEvalMetadataTest.class.getResource("/geneval/evaluation_metadata.jsonl").toURI());
  }

  @Test
  void officialCocoClassMetadataIsReadAndWrittenBackButTheWorldsJudgeSaysItCannotJudgeIt() throws Exception {
    Path official = Path.of(getClass().getResource("/geneval/coco_evaluation_metadata.jsonl").toURI());
    List<GenEvalPrompt> prompts = GenEvalMetadata.read(official);

    assertThat(prompts).hasSize(6);
    assertThat(prompts.get(1).include()).extracting(GenEvalClause::className).containsExactly("toilet", "computer mouse");
    assertThat(prompts.get(3).include().get(0).color()).isEqualTo(WorldColor.GREEN);
    assertThat(prompts.get(4).include().get(1).position()).isEqualTo(new GenEvalPosition(SpatialRelation.RIGHT_OF, 0));
    assertThat(prompts.get(0).include().get(0).worldClass(WorldSpec.standard())).isEmpty();
    Path copy = tmp.resolve("copy.jsonl");
    GenEvalMetadata.write(copy, prompts);
    assertThat(Files.readString(copy)).isEqualTo(Files.readString(official));

    // The world's analyser detects only its shapes: it names what it cannot judge, before any work.
    assertThatThrownBy(() -> new GenEvalBenchmark(prompts, official.toString(), ShapesWorld.standard()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot judge classes 'bench', 'car', 'cat', 'clock', 'computer mouse', 'dog', "
            + "'toilet', 'traffic light'")
        .hasMessageContaining("circle")
        .hasMessageContaining("official GenEval");
    assertThat(GenEvalSuite.defaultSuite()).allSatisfy(p -> GenEvalScorer.requireJudgeable(ShapesWorld.standard(), List.of(p)));
  }

  @Test
  void aBlankClassIsRefusedNamingTheLine() throws IOException {
    Path file = tmp.resolve("blank.jsonl");
    Files.writeString(file, "{\"tag\": \"single_object\", \"include\": [{\"class\": \" \", \"count\": 1}], "
        + "\"prompt\": \"a photo of a\"}\n");
    assertThatThrownBy(() -> GenEvalMetadata.read(file)).hasMessageContaining("line 1").hasMessageContaining("blank");
  }
}
