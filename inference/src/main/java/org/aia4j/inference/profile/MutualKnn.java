package org.aia4j.inference.profile;

import java.util.Arrays;

/**
 * The mutual k-nearest-neighbour alignment of two representations of the same samples (Huh et
 * al., "The Platonic Representation Hypothesis"; UniFork's per-layer modality-alignment analysis):
 * for each sample, the share of its {@code k} nearest neighbours among the {@code a} features that
 * are also among its {@code k} nearest neighbours among the {@code b} features, averaged over
 * samples. Neighbours are by cosine similarity, a sample is never its own neighbour, and ties are
 * broken by the lower index, so the result is deterministic.
 *
 * <p>1.0 when the two spaces order every sample's neighbours alike (e.g. identical features);
 * about {@code k / (N - 1)} when they are unrelated (a random {@code k}-subset of the other {@code
 * N - 1} samples meets another in {@code k^2 / (N - 1)} of them on average).
 */
public final class MutualKnn {
  /** UniFork's (and the Platonic Representation paper's) default neighbourhood size. */
  public static final int DEFAULT_K = 10;

  private MutualKnn() {}

  /**
   * @param a one feature vector per sample, all of one width
   * @param b the same samples in another space (any width of its own)
   * @param k neighbours per sample, {@code 1 <= k < N}
   * @return the mean over samples of {@code |kNN_a(i) ∩ kNN_b(i)| / k}, in [0, 1]
   * @throws IllegalArgumentException if the sample counts differ, {@code k} is out of range, or a
   *     row's width differs from the first row's
   */
  public static double score(float[][] a, float[][] b, int k) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("The two spaces hold " + a.length + " and " + b.length
          + " samples; mutual k-NN compares the same samples in both");
    }
    int n = a.length;
    if (k < 1 || k >= n) {
      throw new IllegalArgumentException("k must be in [1, samples - 1] = [1, " + (n - 1) + "], got " + k
          + (n <= k ? " (use more samples or a smaller k)" : ""));
    }
    int[][] na = neighbours(normalised(a, "a"), k);
    int[][] nb = neighbours(normalised(b, "b"), k);
    double total = 0;
    for (int i = 0; i < n; i++) {
      int[] x = na[i].clone();
      int[] y = nb[i].clone();
      Arrays.sort(x);
      Arrays.sort(y);
      int shared = 0;
      for (int p = 0, q = 0; p < k && q < k; ) {
        if (x[p] == y[q]) {
          shared++;
          p++;
          q++;
        } else if (x[p] < y[q]) {
          p++;
        } else {
          q++;
        }
      }
      total += shared / (double) k;
    }
    return total / n;
  }

  /** Rows scaled to unit length (zero rows stay zero), as doubles. */
  private static double[][] normalised(float[][] rows, String name) {
    int width = rows[0].length;
    double[][] out = new double[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      if (rows[i].length != width) {
        throw new IllegalArgumentException("Row " + i + " of " + name + " has width " + rows[i].length
            + ", row 0 has " + width);
      }
      double norm = 0;
      for (float v : rows[i]) {
        norm += (double) v * v;
      }
      double scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      out[i] = new double[width];
      for (int j = 0; j < width; j++) {
        out[i][j] = rows[i][j] * scale;
      }
    }
    return out;
  }

  /** Per sample, the indices of its {@code k} most cosine-similar other samples. */
  private static int[][] neighbours(double[][] x, int k) {
    int n = x.length;
    int[][] out = new int[n][];
    Integer[] order = new Integer[n - 1];
    double[] similarity = new double[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double dot = 0;
        for (int d = 0; d < x[i].length; d++) {
          dot += x[i][d] * x[j][d];
        }
        similarity[j] = dot;
      }
      int m = 0;
      for (int j = 0; j < n; j++) {
        if (j != i) {
          order[m++] = j;
        }
      }
      Arrays.sort(order, (p, q) -> similarity[p] != similarity[q] ? Double.compare(similarity[q], similarity[p])
          : Integer.compare(p, q));
      out[i] = new int[k];
      for (int r = 0; r < k; r++) {
        out[i][r] = order[r];
      }
    }
    return out;
  }
}
