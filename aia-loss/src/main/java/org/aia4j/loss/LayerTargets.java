package org.aia4j.loss;

import java.util.Arrays;
import org.aia4j.api.model.Task;

/**
 * A {@link StageSchedule} resolved for one task and one depth: a Huber threshold and a target
 * per layer. Arrays are copies; callers may keep them.
 *
 * @param task the task
 * @param lambda the weight of the task's AIA term
 * @param delta per layer, the Huber threshold
 * @param target per layer, the target interaction mass
 */
public record LayerTargets(Task task, double lambda, double[] delta, double[] target) {

  public LayerTargets {
    delta = delta.clone();
    target = target.clone();
  }

  /** @return the number of layers */
  public int layers() {
    return target.length;
  }

  /**
   * How far a curve is from these targets: the mean over layers of {@code |I_l - T_l|}, the
   * figure reports and logs quote for "on target" (0 = every layer on its target).
   *
   * @param interaction per layer, the interaction mass {@code I_l}
   * @return the mean absolute deviation from the targets
   * @throws IllegalArgumentException if the curve has another number of layers
   */
  public double meanAbsoluteDeviation(double[] interaction) {
    if (interaction.length != target.length) {
      throw new IllegalArgumentException("curve has " + interaction.length + " layers, targets have "
          + target.length);
    }
    double sum = 0;
    for (int l = 0; l < target.length; l++) {
      sum += Math.abs(interaction[l] - target[l]);
    }
    return sum / target.length;
  }

  @Override
  public double[] delta() {
    return delta.clone();
  }

  @Override
  public double[] target() {
    return target.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LayerTargets other
        && task == other.task
        && Double.compare(lambda, other.lambda) == 0
        && Arrays.equals(delta, other.delta)
        && Arrays.equals(target, other.target);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * task.hashCode() + Arrays.hashCode(delta)) + Arrays.hashCode(target);
  }

  @Override
  public String toString() {
    return "LayerTargets[" + task.shortName() + ", lambda=" + lambda + ", delta="
        + Arrays.toString(delta) + ", target=" + Arrays.toString(target) + "]";
  }
}
