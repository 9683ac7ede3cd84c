package org.aia4j.cli;

import org.aia4j.api.interaction.AnswerQueries;
import org.aia4j.evaluation.run.CurveOptions;
import org.aia4j.loss.AiaOptions;
import picocli.CommandLine.Option;

/**
 * {@code --bos-as-text} and {@code --answer-queries} (a picocli mixin): the query and key sets of
 * the interaction statistic, for the commands that train with it ({@code aia train}) or measure it
 * ({@code aia profile}, {@code aia eval}). Unset options keep what the caller passes as defaults:
 * the reference code's for training, the checkpoint's training options for measuring.
 */
final class QuerySetOptions {
  @Option(names = "--bos-as-text", arity = "1", description = "Count BOS as prompt text, a key of the gen statistic "
      + "(default: true, as the AIA reference code; when measuring a checkpoint, as it was trained).")
  Boolean bosAsText;

  @Option(names = "--answer-queries", description = "The und statistic's queries: answer-tokens (the reference "
      + "code's) or answer-predictors (the rows predicting the answer, <answer> included) (default: answer-tokens; "
      + "when measuring a checkpoint, as it was trained).")
  String answerQueries;

  /** @return whether either option was given */
  boolean isSet() {
    return bosAsText != null || answerQueries != null;
  }

  /** @return {@code defaults} with the given options in place of theirs */
  CurveOptions over(CurveOptions defaults) {
    return new CurveOptions(bosAsText != null ? bosAsText : defaults.bosAsText(),
        answerQueries != null ? AnswerQueries.parse(answerQueries) : defaults.answerQueries());
  }

  /** @return {@code defaults} with the given options in place of theirs */
  AiaOptions over(AiaOptions defaults) {
    CurveOptions sets = over(new CurveOptions(defaults.bosAsText(), defaults.answerQueries()));
    return defaults.withBosAsText(sets.bosAsText()).withAnswerQueries(sets.answerQueries());
  }
}
