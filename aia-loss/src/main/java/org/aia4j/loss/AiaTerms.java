package org.aia4j.loss;

import ai.djl.ndarray.NDArray;
import org.aia4j.api.model.Task;

/**
 * The AIA term of one batch and what to log about it. Arrays live on the inputs' manager.
 *
 * @param task the batch's task
 * @param lambda the task's weight
 * @param weighted scalar {@code lambda * L_AIA}: what the trainer adds to {@code L_NTP}
 * @param unweighted scalar {@code L_AIA}, aggregated as the loss's {@link AiaOptions#aggregation()} says
 * @param layerMeans {@code (L)}: {@code Ibar_l}, the mean {@code I_l} over qualifying samples (0
 *     when none qualified)
 * @param qualifying scalar: how many samples entered the means
 * @param targets the per-layer targets and thresholds used
 */
public record AiaTerms(
    Task task,
    double lambda,
    NDArray weighted,
    NDArray unweighted,
    NDArray layerMeans,
    NDArray qualifying,
    LayerTargets targets) {}
