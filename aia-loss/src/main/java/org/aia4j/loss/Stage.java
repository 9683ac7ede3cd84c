package org.aia4j.loss;

/**
 * One block of layers sharing a Huber threshold and a target interaction mass. The block is
 * {@code [from, to)}: fractions of the model's depth in a relative schedule, layer numbers in an
 * absolute one ({@link StageSchedule.Mode}). The schedule checks the bounds against each other;
 * a stage checks only its own numbers.
 *
 * @param from first layer (absolute) or depth fraction (relative) of the block, inclusive
 * @param to end of the block, exclusive
 * @param delta the Huber threshold {@code d > 0} for these layers
 * @param target the target interaction mass in [0, 1] for these layers
 */
public record Stage(double from, double to, double delta, double target) {}
