package org.aia4j.evaluation.report;

import java.util.Arrays;
import java.util.Objects;

/**
 * A per-layer interaction curve {@code I_l} as a report shows it: means and, where measured,
 * spreads over samples.
 *
 * @param mean per layer, the mean interaction mass
 * @param std per layer, its standard deviation; all zeros when unknown (one training batch)
 * @param origin where the curve comes from, shown beside it ("eval", "profile", "last training step")
 */
public record LayerCurve(double[] mean, double[] std, String origin) {

  public LayerCurve {
    Objects.requireNonNull(origin, "origin");
    mean = mean.clone();
    std = std == null ? new double[mean.length] : std.clone();
    if (mean.length == 0) {
      throw new IllegalArgumentException("an interaction curve needs at least one layer");
    }
    if (std.length != mean.length) {
      throw new IllegalArgumentException("mean has " + mean.length + " layers but std has " + std.length);
    }
  }

  /** @return the number of layers */
  public int layers() {
    return mean.length;
  }

  @Override
  public double[] mean() {
    return mean.clone();
  }

  @Override
  public double[] std() {
    return std.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LayerCurve other && Arrays.equals(mean, other.mean) && Arrays.equals(std, other.std)
        && origin.equals(other.origin);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
  }

  @Override
  public String toString() {
    return "LayerCurve[" + origin + ", mean=" + Arrays.toString(mean) + "]";
  }
}
