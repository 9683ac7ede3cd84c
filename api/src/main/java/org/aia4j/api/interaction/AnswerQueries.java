package org.aia4j.api.interaction;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Which rows of an understanding sample are the queries {@code Q} of the interaction statistic.
 * A world answer is often one word, so the choice matters: with {@link #TOKENS} the only query is
 * that word's row, which predicts the end of the answer; with {@link #PREDICTORS} it is the
 * {@code <answer>} marker's row, which chooses the answer.
 */
public enum AnswerQueries {
  /** The answer tokens' own positions, as the paper's reference code (its {@code end} ranges). */
  TOKENS("answer-tokens"),
  /**
   * The rows whose next token is an answer token: the {@code <answer>} marker and every answer
   * token but the last (the rows the answer's next-token loss is taken on).
   */
  PREDICTORS("answer-predictors");

  /** The query set used unless said otherwise, chosen by the ablation in docs/experiments/aia-conflict.md. */
  public static final AnswerQueries DEFAULT = TOKENS;

  private final String label;

  AnswerQueries(String label) {
    this.label = label;
  }

  /** @return the name configs, JSON files and command lines use, e.g. {@code answer-tokens} */
  @JsonValue
  public String label() {
    return label;
  }

  /**
   * @param label {@code answer-tokens} or {@code answer-predictors} (case-insensitive)
   * @return the query set
   * @throws IllegalArgumentException naming the known labels
   */
  @JsonCreator
  public static AnswerQueries parse(String label) {
    for (AnswerQueries value : values()) {
      if (value.label.equals(label.toLowerCase(Locale.ROOT))) {
        return value;
      }
    }
    throw new IllegalArgumentException("Unknown understanding query set '" + label + "'. Known: "
        + Arrays.stream(values()).map(AnswerQueries::label).collect(Collectors.joining(", ")));
  }
}
