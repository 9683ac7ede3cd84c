package org.aia4j.api.loss;

import ai.djl.ndarray.NDArray;
import java.util.Objects;

/**
 * What a {@link TrainingLoss} makes of one batch: the term the trainer optimises and what it logs
 * in {@code metrics.jsonl}.
 *
 * @param weighted the scalar term added to the next-token loss (e.g. {@code lambda_task *
 *     L_AIA}), differentiable
 * @param unweighted the scalar term before its weight, logged so runs with different weights (or
 *     with the term off) stay comparable; the same array as {@code weighted} for an unweighted loss
 * @param layerMeans {@code (L)} the per-layer mean interaction mass the loss saw, logged; null
 *     when the loss does not read interaction masses
 */
public record LossTerms(NDArray weighted, NDArray unweighted, NDArray layerMeans) {

  // The two scalars are required; layerMeans is optional.
  public LossTerms {
    Objects.requireNonNull(weighted, "weighted must not be null");
    Objects.requireNonNull(unweighted, "unweighted must not be null");
  }

  /**
   * Terms of a loss without a separate weight and without per-layer statistics.
   *
   * @param value the scalar term
   * @return terms whose weighted and unweighted values are {@code value}
   */
  public static LossTerms of(NDArray value) {
    return new LossTerms(value, value, null);
  }
}
