package org.aia4j.api.loss;

import ai.djl.ndarray.NDArray;

/**
 * A differentiable training objective, e.g. next-token cross-entropy or {@code L_NTP + lambda
 * L_AIA}. Implementations are stateless between calls, so one instance serves a whole run.
 */
public interface TrainingLoss {

  /** @return the loss's name, as logged with its value, e.g. {@code ntp+aia} */
  String name();

  /**
   * Computes the loss of one batch.
   *
   * @param inputs the batch's forward-pass outputs and targets
   * @return a scalar array, differentiable with respect to the logits and interaction masses,
   *     attached to the inputs' manager
   */
  NDArray compute(LossInputs inputs);
}
