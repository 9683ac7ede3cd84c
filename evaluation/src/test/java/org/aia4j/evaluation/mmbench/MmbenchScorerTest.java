package org.aia4j.evaluation.mmbench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.aia4j.evaluation.io.JsonLines;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MmbenchScorerTest {
  @TempDir
  static Path shared;

  private static Path data;
  private static List<MmbenchQuestion> rows;

  @TempDir
  Path dir;

  @BeforeAll
  static void writeTheDefaultSuite() throws IOException {
    data = shared.resolve("mmbench.tsv");
    MmbenchSuite.Written written = MmbenchSuite.writeCircularTsv(data, MmbenchSuite.DEFAULT_SEED,
        MmbenchSuite.DEFAULT_QUESTIONS);
    rows = MmbenchTsv.read(data).rows();
    assertThat(written.rows()).isEqualTo(rows.size());
  }

  @Test
  void everyRightLetterScoresOne() throws IOException {
    MmbenchScore score = score(MmbenchQuestion::answer);

    assertThat(score.overall()).isEqualTo(1.0);
    assertThat(score.vanilla()).isEqualTo(1.0);
    assertThat(score.questions()).isEqualTo(MmbenchSuite.DEFAULT_QUESTIONS);
    assertThat(score.copies()).isEqualTo(rows.size());
    assertThat(score.missing()).isZero();
    assertThat(score.categories()).hasSize(7).allSatisfy((category, accuracy) -> assertThat(accuracy).isEqualTo(1.0));
    assertThat(score.l2Categories()).containsOnlyKeys("coarse_perception",
        "finegrained_perception (instance-level)", "finegrained_perception (cross-instance)");
  }

  @Test
  void everyRightOptionTextAlsoScoresOne() throws IOException {
    assertThat(score(row -> "It is " + row.options().get(row.answer()) + ".").overall()).isEqualTo(1.0);
  }

  @Test
  void alwaysAFailsCircularEval() throws IOException {
    MmbenchScore score = score(row -> "A");

    assertThat(score.overall()).isLessThanOrEqualTo(0.30);
    assertThat(score.vanilla()).isBetween(0.25, 0.45);
  }

  @Test
  void rightOnlyOnUnrotatedCopiesScoresWellAboveInVanillaThanInCircular() throws IOException {
    MmbenchScore score = score(row -> row.rotation() == 0 ? row.answer() : wrongLetter(row));

    assertThat(score.vanilla()).isEqualTo(1.0);
    assertThat(score.overall()).isZero();
    assertThat(score.groups()).allSatisfy(group -> assertThat(group.copies().get(0).hit()).isTrue());
  }

  @Test
  void writesTheSummaryAndOneResultLinePerQuestion() throws IOException {
    Path predictions = predictions(row -> row.index() % 7 == 0 ? wrongLetter(row) : "The answer is " + row.answer());

    MmbenchScore score = MmbenchScorer.score(data, predictions, dir.resolve("out"));

    JsonNode summary = JsonLines.MAPPER.readTree(dir.resolve("out/summary.json").toFile());
    assertThat(summary.get("overall").asDouble()).isEqualTo(score.overall()).isBetween(0.5, 1.0);
    assertThat(summary.get("vanilla").asDouble()).isEqualTo(score.vanilla());
    assertThat(summary.get("questions").asInt()).isEqualTo(MmbenchSuite.DEFAULT_QUESTIONS);
    assertThat(summary.get("missing").asInt()).isZero();
    assertThat(summary.get("categories").get("counting").asDouble()).isEqualTo(score.categories().get("counting"));
    assertThat(summary.get("l2_categories").get("coarse_perception")).isNotNull();
    assertThat(summary.get("data_sha256").asText()).hasSize(64);
    List<JsonNode> results = JsonLines.read(dir.resolve("out/results.jsonl"));
    assertThat(results).hasSize(MmbenchSuite.DEFAULT_QUESTIONS);
    assertThat(results.get(0).get("copies").get(0).get("prediction").asText()).isEqualTo(wrongLetter(rows.get(0)));
    try (Stream<Path> files = Files.list(dir.resolve("out"))) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("summary.json", "results.jsonl");
    }
  }

  @Test
  void countsMissingPredictionsWrongAndReportsThem() throws IOException {
    Map<Long, String> answers = answers(MmbenchQuestion::answer);
    answers.remove((rows.get(0).options().size() - 1) * CircularEval.OFFSET); // question 0's last rotation
    answers.remove(1L);
    answers.remove(1_000_001L); // two copies of question 1
    Path predictions = dir.resolve("partial.txt");
    MmbenchPredictions.write(predictions, answers);

    MmbenchScore score = MmbenchScorer.score(data, predictions, dir.resolve("out"));

    assertThat(score.missing()).isEqualTo(3);
    assertThat(score.missingGroups()).isEqualTo(2);
    assertThat(score.overall()).isEqualTo((MmbenchSuite.DEFAULT_QUESTIONS - 2) / (double) MmbenchSuite.DEFAULT_QUESTIONS);
    assertThat(score.groups().get(1).copies().get(0).prediction()).isNull();
  }

  @Test
  void namesTheMalformedPredictionsLine() throws IOException {
    Path predictions = dir.resolve("bad.txt");
    Files.writeString(predictions, "0\tA\n\n1 B\n");

    assertThatThrownBy(() -> MmbenchScorer.score(data, predictions, dir.resolve("out")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("bad.txt line 3")
        .hasMessageContaining("no tab");
    assertThat(dir.resolve("out")).doesNotExist();
  }

  @Test
  void rejectsAPredictionForAnUnknownIndex() throws IOException {
    Path predictions = dir.resolve("unknown.txt");
    Files.writeString(predictions, "0\tA\n999999\tB\n");

    assertThatThrownBy(() -> MmbenchScorer.score(data, predictions, dir.resolve("out")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("line 2")
        .hasMessageContaining("index 999999 is not a row of");
  }

  @Test
  void needsAnAnswerColumnToScore() throws IOException {
    Path unlabelled = dir.resolve("test_split.tsv");
    Files.writeString(unlabelled, "index\tquestion\tA\tB\timage\n0\tWhich?\tx\ty\t"
        + rows.get(0).image() + "\n");
    Path predictions = dir.resolve("p.txt");
    Files.writeString(predictions, "0\tA\n");

    assertThatThrownBy(() -> MmbenchScorer.score(unlabelled, predictions, dir.resolve("out")))
        .hasMessageContaining("test_split.tsv")
        .hasMessageContaining("missing required column 'answer'");
  }

  @Test
  void scoresAnOfficialFile() throws IOException {
    Path predictions = dir.resolve("official.txt");
    // Question 0 right in every rotation, question 1 wrong once, question 2 answered by text.
    Files.writeString(predictions, String.join("\n", "index\tprediction", "0\tA", "1000000\tD", "2000000\t(C)",
        "3000000\tThe answer is B.", "1\tA", "1000001\tA", "2\tblue", "1000002\tblue", "2000002\tblue", ""));

    MmbenchScore score = MmbenchScorer.score(MmbenchTsvTest.OFFICIAL, predictions, dir.resolve("out"));

    assertThat(score.questions()).isEqualTo(3);
    assertThat(score.overall()).isEqualTo(2 / 3.0);
    assertThat(score.vanilla()).isEqualTo(1.0);
    assertThat(score.categories()).containsEntry("image_caption", 0.0).containsEntry("attribute_recognition", 1.0);
  }

  private static String wrongLetter(MmbenchQuestion row) {
    return row.options().keySet().stream().filter(letter -> !letter.equals(row.answer())).findFirst().orElseThrow();
  }

  private MmbenchScore score(Function<MmbenchQuestion, String> model) throws IOException {
    return MmbenchScorer.score(data, predictions(model), dir.resolve("out"));
  }

  private Path predictions(Function<MmbenchQuestion, String> model) throws IOException {
    Path file = dir.resolve("predictions.txt");
    MmbenchPredictions.write(file, answers(model));
    return file;
  }

  private static Map<Long, String> answers(Function<MmbenchQuestion, String> model) {
    Map<Long, String> answers = new LinkedHashMap<>();
    rows.forEach(row -> answers.put(row.index(), model.apply(row)));
    return answers;
  }
}
