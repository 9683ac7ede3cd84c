package org.aia4j.cli;

import java.util.List;
import java.util.Locale;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * The mean of paired differences (one per seed) with its two-sided 95% Student-t interval: the
 * analysis every comparison of {@code aia experiment} reports. With {@code n} pairs the interval
 * is {@code mean +- t(0.975, n - 1) * sd / sqrt(n)}; one pair gives no interval.
 *
 * @param n the number of pairs
 * @param mean the mean difference
 * @param low the interval's lower end (NaN for one pair)
 * @param high the interval's upper end (NaN for one pair)
 * @param sd the differences' sample standard deviation (NaN for one pair)
 */
record PairedDifference(int n, double mean, double low, double high, double sd) {

  /**
   * @param a the first arm's values, one per seed
   * @param b the second arm's values, same seeds in the same order
   * @return the statistics of {@code a[i] - b[i]}
   * @throws IllegalArgumentException if the lists are empty or of different lengths
   */
  static PairedDifference of(List<Double> a, List<Double> b) {
    if (a.isEmpty() || a.size() != b.size()) {
      throw new IllegalArgumentException("paired values need the same, non-zero number of seeds, got "
          + a.size() + " and " + b.size());
    }
    int n = a.size();
    double[] d = new double[n];
    double mean = 0;
    for (int i = 0; i < n; i++) {
      d[i] = a.get(i) - b.get(i);
      mean += d[i] / n;
    }
    if (n == 1) {
      return new PairedDifference(1, mean, Double.NaN, Double.NaN, Double.NaN);
    }
    double ss = 0;
    for (double x : d) {
      ss += (x - mean) * (x - mean);
    }
    double sd = Math.sqrt(ss / (n - 1));
    double half = new TDistribution(n - 1).inverseCumulativeProbability(0.975) * sd / Math.sqrt(n);
    return new PairedDifference(n, mean, mean - half, mean + half, sd);
  }

  /** @return whether the interval excludes 0 */
  boolean excludesZero() {
    return low > 0 || high < 0;
  }

  /** @return e.g. {@code +0.012 [-0.004, +0.028]}, or {@code +0.012} for one pair */
  @Override
  public String toString() {
    if (n == 1) {
      return String.format(Locale.ROOT, "%+.3f", mean);
    }
    return String.format(Locale.ROOT, "%+.3f [%+.3f, %+.3f]", mean, low, high);
  }
}
