package org.aia4j.evaluation.mmbench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnswerExtractorTest {
  private static final Map<String, String> COLORS = options("red", "blue", "green", "white");

  @ParameterizedTest(name = "''{0}'' -> {1}")
  @CsvSource(delimiter = '|', value = {
      "B|B",
      "C.|C",
      "(C)|C",
      "[D]|D",
      "The answer is B.|B",
      "The correct answer is **D**|D",
      "B. blue|B",
      "Answer: A|A",
      "I would say the object is red, so (A)|A",
      "blue|B",
      "It is green.|C",
      "WHITE|D",
      "Z|Z",
      "Cannot determine the answer from the image.|Z",
  })
  void readsAnOptionLetterThenAnOptionText(String answer, String letter) {
    assertThat(AnswerExtractor.infer(answer, COLORS)).contains(letter);
  }

  @ParameterizedTest(name = "''{0}'' -> none")
  @CsvSource(delimiter = '|', value = {
      "red or blue",
      "A or B",
      "purple",
      "''",
      "Failed to obtain answer via API.",
      // A letter token far from the end is not an answer; no option text appears either.
      "A purple one is shown, not any of the listed colours here",
  })
  void readsNothingFromAmbiguousOrForeignAnswers(String answer) {
    assertThat(AnswerExtractor.infer(answer, COLORS)).isEmpty();
  }

  @Test
  void anOptionTextMatchesOnlyWhenTheAnswerIsShortEnough() {
    Map<String, String> yesNo = options("yes", "no");
    assertThat(AnswerExtractor.infer("yes", yesNo)).contains("A");
    // Longer than twice the option texts together (2 * 5 characters): VLMEvalKit gives up.
    assertThat(AnswerExtractor.infer("yes, there is one", yesNo)).isEmpty();
  }

  @Test
  void keepsVlmEvalKitsQuirksSoScoresMatchIt() {
    // "answer is b..." matches its case-insensitive pattern without a word boundary.
    assertThat(AnswerExtractor.infer("The answer is blue", options("red", "green", "blue"))).contains("B");
    // Option texts match as substrings: "no" inside "not".
    assertThat(AnswerExtractor.inferText("not", options("yes", "no"))).contains("B");
    // Letters outside the options are not counted.
    assertThat(AnswerExtractor.infer("D", options("yes", "no"))).isEmpty();
  }

  @Test
  void tokenisesLikeVlmEvalKit() {
    assertThat(AnswerExtractor.tokens("(A) {red}!\u00a0B;C")).containsExactly("A", "red", "B", "C");
  }

  static Map<String, String> options(String... texts) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < texts.length; i++) {
      options.put(String.valueOf((char) ('A' + i)), texts[i]);
    }
    return options;
  }
}
