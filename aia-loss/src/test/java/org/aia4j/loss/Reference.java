package org.aia4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.aia4j.api.interaction.InteractionSets;

/**
 * Plain-Java, double-precision statement of the maths, written from DESIGN section 3 without
 * NDArrays: the yardstick for the NDArray implementation and for finite differences.
 */
final class Reference {

  private Reference() {}

  /** Masked logit, as the implementation uses. */
  static final double MASKED = -1e9;

  /** Row-wise softmax of logits (B,H,T,T) with causal mask and key padding (B,T; null = none). */
  static double[][][][] attention(double[][][][] logits, double[][] keyPadding) {
    int b = logits.length;
    int h = logits[0].length;
    int t = logits[0][0].length;
    double[][][][] a = new double[b][h][t][t];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < h; j++) {
        for (int q = 0; q < t; q++) {
          double[] row = new double[t];
          double max = Double.NEGATIVE_INFINITY;
          for (int k = 0; k < t; k++) {
            boolean visible = k <= q && (keyPadding == null || keyPadding[i][k] > 0);
            row[k] = visible ? logits[i][j][q][k] : MASKED;
            max = Math.max(max, row[k]);
          }
          double sum = 0;
          for (int k = 0; k < t; k++) {
            row[k] = Math.exp(row[k] - max);
            sum += row[k];
          }
          for (int k = 0; k < t; k++) {
            a[i][j][q][k] = row[k] / sum;
          }
        }
      }
    }
    return a;
  }

  /** Logits (B,H,T,T) = scale * q k^T from q, k (B,H,T,d). */
  static double[][][][] logits(double[][][][] q, double[][][][] k, double scale) {
    int b = q.length;
    int h = q[0].length;
    int t = q[0][0].length;
    int d = q[0][0][0].length;
    double[][][][] s = new double[b][h][t][t];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < h; j++) {
        for (int x = 0; x < t; x++) {
          for (int y = 0; y < t; y++) {
            double dot = 0;
            for (int z = 0; z < d; z++) {
              dot += q[i][j][x][z] * k[i][j][y][z];
            }
            s[i][j][x][y] = scale * dot;
          }
        }
      }
    }
    return s;
  }

  /** I per sample: mean over heads, mean over q in Q, sum over k in K; 0 for empty Q. */
  static double[] interaction(double[][][][] a, double[][] queryMask, double[][] keyMask) {
    int b = a.length;
    int h = a[0].length;
    int t = a[0][0].length;
    double[] out = new double[b];
    for (int i = 0; i < b; i++) {
      double total = 0;
      int queries = 0;
      for (int q = 0; q < t; q++) {
        if (queryMask[i][q] == 0) {
          continue;
        }
        queries++;
        double headMean = 0;
        for (int j = 0; j < h; j++) {
          double mass = 0;
          for (int k = 0; k < t; k++) {
            mass += keyMask[i][k] * a[i][j][q][k];
          }
          headMean += mass / h;
        }
        total += headMean;
      }
      out[i] = queries == 0 ? 0 : total / queries;
    }
    return out;
  }

  /**
   * The default aggregation, as the reference code: lambda * mean over qualifying samples b and
   * layers l of Huber_{d_l}(I_l[b] - T_l); 0 if none qualifies.
   */
  static double loss(
      double[][] masses, double[] qualifies, double[] delta, double[] target, double lambda) {
    double count = 0;
    double sum = 0;
    for (int i = 0; i < qualifies.length; i++) {
      count += qualifies[i];
      for (int l = 0; l < masses.length; l++) {
        sum += qualifies[i] * Huber.of(masses[l][i] - target[l], delta[l]) / masses.length;
      }
    }
    return count == 0 ? 0 : lambda * sum / count;
  }

  /** The batch-mean aggregation: lambda * mean_l Huber_{d_l}(Ibar_l - T_l) over qualifying samples; 0 if none. */
  static double lossOfBatchMean(
      double[][] masses, double[] qualifies, double[] delta, double[] target, double lambda) {
    double count = 0;
    for (double w : qualifies) {
      count += w;
    }
    if (count == 0) {
      return 0;
    }
    double sum = 0;
    for (int l = 0; l < masses.length; l++) {
      double mean = 0;
      for (int i = 0; i < qualifies.length; i++) {
        mean += qualifies[i] * masses[l][i];
      }
      mean /= count;
      sum += Huber.of(mean - target[l], delta[l]);
    }
    return lambda * sum / masses.length;
  }

  // ----- random inputs and conversions -----

  static double[][][][] random(Random random, int b, int h, int t, int d, double scale) {
    double[][][][] x = new double[b][h][t][d];
    for (double[][][] u : x) {
      for (double[][] v : u) {
        for (double[] w : v) {
          for (int i = 0; i < d; i++) {
            w[i] = scale * random.nextGaussian();
          }
        }
      }
    }
    return x;
  }

  static NDArray array(NDManager manager, double[][][][] x, DataType type) {
    int b = x.length;
    int h = x[0].length;
    int t = x[0][0].length;
    int d = x[0][0][0].length;
    double[] flat = new double[b * h * t * d];
    int n = 0;
    for (double[][][] u : x) {
      for (double[][] v : u) {
        for (double[] w : v) {
          for (double z : w) {
            flat[n++] = z;
          }
        }
      }
    }
    return manager.create(flat, new Shape(b, h, t, d)).toType(type, false);
  }

  static NDArray array(NDManager manager, double[][] x, DataType type) {
    int b = x.length;
    int t = x[0].length;
    double[] flat = new double[b * t];
    for (int i = 0; i < b; i++) {
      System.arraycopy(x[i], 0, flat, i * t, t);
    }
    return manager.create(flat, new Shape(b, t)).toType(type, false);
  }

  static double[] values(NDArray array) {
    return array.toType(DataType.FLOAT64, false).toDoubleArray();
  }

  /** (B,T) float masks of an InteractionSets as doubles. */
  static double[][] rows(float[] flat, int b, int t) {
    double[][] out = new double[b][t];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < t; j++) {
        out[i][j] = flat[i * t + j];
      }
    }
    return out;
  }
}
