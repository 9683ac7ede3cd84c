package org.aia4j.djl.train;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * Tells a step's gradients that must be computed again: non-finite ones, and finite ones whose
 * global norm is far outside the run's recent distribution ({@link #FACTOR} times the median of
 * the last {@link #WINDOW} accepted norms).
 *
 * <p>A safety net, not a fix. The forward and backward passes are deterministic, so a true
 * gradient comes out the same when computed again and a corrupted one (memory read that should
 * not be: see {@code org.aia4j.loss.Scalars} for the cause once found) does not. Computing again
 * never changes a correct run's weights; it only costs time on the steps it flags, and every flag
 * is counted in {@code metrics.jsonl} so it can never be silent. A norm that stays an outlier when
 * computed again is a real spike (a hard batch), and the trainer accepts it; clipping bounds it.
 *
 * <p>The guard's memory is not saved in checkpoints: after a resume it judges only non-finite
 * gradients until it has seen {@link #MIN_HISTORY} steps again. Since it never changes the
 * result of a correct computation, a resumed run still ends in the same weights.
 */
final class GradientGuard {
  /** How many times the recent median a norm must exceed to be computed again. */
  static final double FACTOR = 1000;
  /** Accepted norms the median is taken over. */
  static final int WINDOW = 200;
  /** Accepted norms needed before finite norms are judged at all. */
  static final int MIN_HISTORY = 20;

  private final Deque<Double> recent = new ArrayDeque<>();

  /**
   * @param gradientNorm a step's global gradient norm (NaN or infinite if some gradient is)
   * @return whether the gradients should be computed again
   */
  boolean suspicious(double gradientNorm) {
    if (!Double.isFinite(gradientNorm)) {
      return true;
    }
    return recent.size() >= MIN_HISTORY && gradientNorm > FACTOR * median();
  }

  /** Records the norm of gradients the optimiser used. */
  void accept(double gradientNorm) {
    if (!Double.isFinite(gradientNorm)) {
      return;
    }
    recent.addLast(gradientNorm);
    if (recent.size() > WINDOW) {
      recent.removeFirst();
    }
  }

  /** The median of the recent accepted norms (NaN before any). */
  double median() {
    if (recent.isEmpty()) {
      return Double.NaN;
    }
    double[] sorted = recent.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
  }
}
