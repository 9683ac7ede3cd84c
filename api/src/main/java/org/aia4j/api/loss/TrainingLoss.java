package org.aia4j.api.loss;

import ai.djl.ndarray.NDArray;
import org.aia4j.api.interaction.InteractionRoles;
import org.aia4j.api.model.Task;

/**
 * A differentiable training term that the trainer adds to its next-token loss, e.g. {@code lambda
 * L_AIA}. Made by a {@link LossProvider} chosen by name ({@code aia train --loss NAME}); the
 * trainer knows a loss only through this interface, so a plug-in jar's loss trains exactly like
 * the built-in one. Implementations are stateless between calls, so one instance serves a whole
 * run; what varies over a run (the task, the step) arrives in the {@link LossInputs}.
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

  /**
   * Whether {@link #compute} reads {@link LossInputs#interactionMasses()}. The trainer computes
   * the per-layer masses (an extra product per layer) for every loss that says so, and refuses to
   * train such a loss on a forward pass without them.
   *
   * @return false by default
   */
  default boolean needsInteractions() {
    return false;
  }

  /**
   * Fails before training starts if this loss cannot train a model of {@code layers} layers (e.g.
   * a schedule that names a layer the model does not have), instead of minutes into the run.
   *
   * @param layers the model's number of layers
   * @throws IllegalArgumentException naming what does not fit
   */
  default void requireFits(int layers) {}

  /**
   * Which positions are the queries and keys of the interaction masses the trainer computes for
   * this loss ({@link #needsInteractions}).
   *
   * @param task a task
   * @return the default sets unless the loss says otherwise
   */
  default InteractionRoles roles(Task task) {
    return InteractionRoles.of(task);
  }

  /**
   * The loss of one batch together with what the trainer logs about it. Override when the loss
   * has a weight or per-layer statistics worth logging; the default logs {@link #compute}'s value.
   *
   * @param inputs the batch's forward-pass outputs and targets
   * @return the terms, attached to the inputs' manager
   */
  default LossTerms terms(LossInputs inputs) {
    return LossTerms.of(compute(inputs));
  }
}
