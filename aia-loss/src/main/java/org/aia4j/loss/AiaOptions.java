package org.aia4j.loss;

import java.util.Objects;
import org.aia4j.api.interaction.AnswerQueries;
import org.aia4j.api.interaction.InteractionRoles;

/**
 * How the AIA loss reads its masses, beyond the schedule: each choice is an option because the
 * paper's text and its released code leave room, and the conflict experiment ablates them.
 *
 * @param aggregation where the Huber penalty is taken: per sample (the reference code) or on the
 *     batch mean
 * @param bosAsText whether BOS is a key of a generation sample (the reference counts it)
 * @param answerQueries which rows of an understanding sample are its queries
 */
public record AiaOptions(Aggregation aggregation, boolean bosAsText, AnswerQueries answerQueries) {

  /** The reference code's choices: per-sample Huber, BOS as text, the answer tokens as queries. */
  public static final AiaOptions DEFAULTS =
      new AiaOptions(Aggregation.PER_SAMPLE, InteractionRoles.DEFAULT_BOS_AS_TEXT, AnswerQueries.DEFAULT);

  public AiaOptions {
    Objects.requireNonNull(aggregation, "aggregation must not be null");
    Objects.requireNonNull(answerQueries, "answerQueries must not be null");
  }

  /** @return these options with another aggregation */
  public AiaOptions withAggregation(Aggregation value) {
    return new AiaOptions(value, bosAsText, answerQueries);
  }

  /** @return these options with another BOS handling */
  public AiaOptions withBosAsText(boolean value) {
    return new AiaOptions(aggregation, value, answerQueries);
  }

  /** @return these options with another understanding query set */
  public AiaOptions withAnswerQueries(AnswerQueries value) {
    return new AiaOptions(aggregation, bosAsText, value);
  }

  /** Where the Huber penalty of a layer is applied. */
  public enum Aggregation {
    /**
     * {@code mean over qualifying samples b and layers l of Huber(I_l[b] - T_l)}: the reference
     * code's {@code HuberLoss} on each sample's {@code I_l}. Samples off in opposite directions do
     * not cancel, so the per-sample spread is constrained too.
     */
    PER_SAMPLE("per-sample"),
    /**
     * {@code mean over layers of Huber(mean over samples of I_l[b] - T_l)}: only the batch mean is
     * pulled (what aia4j did before the option existed). Never larger than {@link #PER_SAMPLE}.
     */
    BATCH_MEAN("batch-mean");

    private final String label;

    Aggregation(String label) {
      this.label = label;
    }

    /** @return the name configs use, e.g. {@code per-sample} */
    public String label() {
      return label;
    }

    /**
     * @param label {@code per-sample} or {@code batch-mean}
     * @return the aggregation
     * @throws IllegalArgumentException naming the known labels
     */
    public static Aggregation parse(String label) {
      for (Aggregation value : values()) {
        if (value.label.equals(label)) {
          return value;
        }
      }
      throw new IllegalArgumentException(
          "Unknown AIA aggregation '" + label + "'. Known: per-sample, batch-mean");
    }
  }
}
