package org.aia4j.loss;

import ai.djl.ndarray.NDArray;

/**
 * The Huber penalty of DESIGN section 3: {@code Huber_d(x) = x^2/2} if {@code |x| <= d}, else
 * {@code d (|x| - d/2)}. Quadratic near the target, linear (constant gradient {@code d}) far from
 * it, so a layer far off its target is pulled steadily rather than violently.
 */
public final class Huber {

  private Huber() {}

  /**
   * @param x the deviation from the target
   * @param delta the threshold {@code d > 0} between the quadratic and the linear branch
   * @return {@code Huber_delta(x)}
   */
  public static double of(double x, double delta) {
    double a = Math.abs(x);
    return a <= delta ? 0.5 * x * x : delta * (a - 0.5 * delta);
  }

  /**
   * Element-wise, differentiable Huber penalty. Written without a branch: with {@code c =
   * min(|x|, d)}, {@code c (|x| - c/2)} is {@code x^2/2} below {@code d} and {@code d(|x| - d/2)}
   * above it, and its gradient is {@code x} resp. {@code d sign(x)}.
   *
   * @param x deviations, any shape
   * @param delta thresholds, broadcastable to {@code x}, each {@code > 0}
   * @return the penalties, shaped like {@code x}
   */
  public static NDArray of(NDArray x, NDArray delta) {
    NDArray a = x.abs();
    NDArray c = a.minimum(delta);
    return c.mul(a.sub(c.mul(Scalars.like(c, 0.5))));
  }
}
