package org.aia4j.evaluation.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.IntSummaryStatistics;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.aia4j.evaluation.data.WorldTrainingData.GenerationDraw;
import org.aia4j.evaluation.data.WorldTrainingData.UnderstandingDraw;
import org.aia4j.evaluation.world.WorldSpec;
import org.junit.jupiter.api.Test;

/**
 * Measures the text lengths of the default mix (the model's sequence length depends on them) and
 * pins their maxima: words split on white space, tokens as the word tokenizer splits (words and
 * single punctuation marks). Prints a table to the test output.
 */
class WorldTextLengthsTest {
  private static final int SAMPLES = 3000;

  @Test
  void textLengthsPerKindStayWithinTheirBudgets() {
    WorldTrainingData data = new WorldTrainingData(WorldSpec.standard(), 7);
    Map<String, IntSummaryStatistics[]> stats = new TreeMap<>();
    long start = System.nanoTime();
    for (long i = 0; i < SAMPLES; i++) {
      UnderstandingDraw u = data.drawUnderstanding(i);
      record(stats, "understanding " + u.kind(), u.sample().prompt(), u.sample().answer());
    }
    long understandingNanos = System.nanoTime() - start;
    start = System.nanoTime();
    for (long i = 0; i < SAMPLES; i++) {
      GenerationDraw g = data.drawGeneration(i);
      String kind = g.geneval() == null ? "CAPTION" : "GENEVAL " + g.geneval().tag();
      record(stats, "generation " + kind, g.sample().prompt(), "");
    }
    long generationNanos = System.nanoTime() - start;
    StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%-36s %5s  %-22s %-22s %-22s %-22s%n", "kind", "n",
        "prompt words mean/max", "prompt tokens mean/max", "answer words mean/max", "answer tokens mean/max"));
    stats.forEach((kind, s) -> table.append(String.format(Locale.ROOT, "%-36s %5d  %8.1f / %-11d %8.1f / %-11d %8.1f / %-11d %8.1f / %d%n",
        kind, s[0].getCount(), s[0].getAverage(), s[0].getMax(), s[1].getAverage(), s[1].getMax(), s[2].getAverage(),
        s[2].getMax(), s[3].getAverage(), s[3].getMax())));
    table.append(String.format(Locale.ROOT, "per sample: understanding %.2f ms, generation %.2f ms%n",
        understandingNanos / 1e6 / SAMPLES, generationNanos / 1e6 / SAMPLES));
    System.out.print(table);

    // Captions: 8 tokens an object ("a red circle in row 1 column 3") and a comma between objects.
    assertThat(stats.get("understanding CAPTION")[3].getMax()).isEqualTo(4 * 8 + 3);
    // The option's text, at most five words.
    assertThat(stats.get("understanding MULTIPLE_CHOICE")[3].getMax()).isLessThanOrEqualTo(5);
    assertThat(stats.get("understanding MULTIPLE_CHOICE")[1].getMax()).isLessThanOrEqualTo(60);
    assertThat(stats.get("understanding SHORT_ANSWER")[1].getMax()).isLessThanOrEqualTo(10);
    assertThat(stats.get("understanding SHORT_ANSWER")[3].getMax()).isLessThanOrEqualTo(4);
    assertThat(stats.get("generation GENEVAL color_attr")[1].getMax()).isEqualTo(10);
    assertThat(stats.get("generation CAPTION")[1].getMax()).isEqualTo(4 * 8 + 3);
  }

  private static void record(Map<String, IntSummaryStatistics[]> stats, String kind, String prompt, String answer) {
    IntSummaryStatistics[] s = stats.computeIfAbsent(kind, k -> new IntSummaryStatistics[] {
        new IntSummaryStatistics(), new IntSummaryStatistics(), new IntSummaryStatistics(), new IntSummaryStatistics()});
    s[0].accept(words(prompt));
    s[1].accept(WorldTrainingDataTest.tokens(prompt).size());
    s[2].accept(words(answer));
    s[3].accept(WorldTrainingDataTest.tokens(answer).size());
  }

  private static int words(String text) {
    String trimmed = text.strip();
    return trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
  }
}
