package org.aia4j.djl.model;

import ai.djl.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.aia4j.inference.model.ModelConfig;

/**
 * The unified transformer written out in plain Java float64, from the documented parameter names
 * and layouts only: the yardstick the DJL forward and gradients are checked against.
 */
final class ReferenceTransformer {

  private final ModelConfig config;
  private final Map<String, double[]> params;

  /** Result of one sequence: logits [T][V] and per-layer probabilities [L][H][T][T]. */
  record Result(double[][] logits, double[][][][] probabilities) {}

  ReferenceTransformer(ModelConfig config, Map<String, double[]> params) {
    this.config = config;
    this.params = params;
  }

  /** Copies the model's parameters into float64 arrays, by name. */
  static Map<String, double[]> read(UnifiedTransformer model) {
    Map<String, double[]> map = new LinkedHashMap<>();
    for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
      float[] f = e.getValue().getArray().toFloatArray();
      double[] d = new double[f.length];
      for (int i = 0; i < f.length; i++) {
        d[i] = f[i];
      }
      map.put(e.getKey(), d);
    }
    return map;
  }

  Result forward(int[] tokens) {
    int t = tokens.length;
    int w = config.width();
    int heads = config.heads();
    int d = config.headDim();
    int m = config.mlpWidth();
    int v = config.vocabSize();
    double[] tok = p("embedding.token.weight");
    double[] pos = p("embedding.position.weight");
    double[][] x = new double[t][w];
    for (int i = 0; i < t; i++) {
      for (int j = 0; j < w; j++) {
        x[i][j] = tok[tokens[i] * w + j] + pos[i * w + j];
      }
    }
    double[][][][] probs = new double[config.layers()][heads][t][t];
    for (int l = 0; l < config.layers(); l++) {
      String pre = "layers." + l + ".";
      double[][] h = layerNorm(x, p(pre + "attention_norm.weight"), p(pre + "attention_norm.bias"));
      double[][] qkv = linear(h, p(pre + "attention.qkv.weight"), p(pre + "attention.qkv.bias"), 3 * w);
      double[][] context = new double[t][w];
      for (int hd = 0; hd < heads; hd++) {
        int qo = hd * d;
        int ko = w + hd * d;
        int vo = 2 * w + hd * d;
        for (int i = 0; i < t; i++) {
          double[] s = new double[i + 1];
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j <= i; j++) {
            double dot = 0;
            for (int c = 0; c < d; c++) {
              dot += qkv[i][qo + c] * qkv[j][ko + c];
            }
            s[j] = dot / Math.sqrt(d);
            max = Math.max(max, s[j]);
          }
          double sum = 0;
          for (int j = 0; j <= i; j++) {
            s[j] = Math.exp(s[j] - max);
            sum += s[j];
          }
          for (int j = 0; j <= i; j++) {
            double a = s[j] / sum;
            probs[l][hd][i][j] = a;
            for (int c = 0; c < d; c++) {
              context[i][qo + c] += a * qkv[j][vo + c];
            }
          }
        }
      }
      add(x, linear(context, p(pre + "attention.out.weight"), p(pre + "attention.out.bias"), w));
      h = layerNorm(x, p(pre + "mlp_norm.weight"), p(pre + "mlp_norm.bias"));
      double[][] up = linear(h, p(pre + "mlp.up.weight"), p(pre + "mlp.up.bias"), m);
      for (double[] row : up) {
        for (int j = 0; j < m; j++) {
          row[j] = 0.5 * row[j] * (1 + erf(row[j] / Math.sqrt(2)));
        }
      }
      add(x, linear(up, p(pre + "mlp.down.weight"), p(pre + "mlp.down.bias"), w));
    }
    double[][] h = layerNorm(x, p("final_norm.weight"), p("final_norm.bias"));
    return new Result(linear(h, p("lm_head.weight"), null, v), probs);
  }

  private double[] p(String name) {
    double[] value = params.get(name);
    if (value == null) {
      throw new IllegalStateException("no parameter " + name);
    }
    return value;
  }

  /** y = x W^T + b with W (out, in), row-major. */
  private static double[][] linear(double[][] x, double[] weight, double[] bias, int out) {
    int in = x[0].length;
    double[][] y = new double[x.length][out];
    for (int i = 0; i < x.length; i++) {
      for (int o = 0; o < out; o++) {
        double s = bias == null ? 0 : bias[o];
        for (int c = 0; c < in; c++) {
          s += x[i][c] * weight[o * in + c];
        }
        y[i][o] = s;
      }
    }
    return y;
  }

  private static double[][] layerNorm(double[][] x, double[] gamma, double[] beta) {
    double[][] y = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      int n = x[i].length;
      double mean = 0;
      for (double value : x[i]) {
        mean += value;
      }
      mean /= n;
      double var = 0;
      for (double value : x[i]) {
        var += (value - mean) * (value - mean);
      }
      var /= n;
      double inv = 1 / Math.sqrt(var + DecoderLayer.LAYER_NORM_EPS);
      y[i] = new double[n];
      for (int j = 0; j < n; j++) {
        y[i][j] = (x[i][j] - mean) * inv * gamma[j] + beta[j];
      }
    }
    return y;
  }

  private static void add(double[][] x, double[][] y) {
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < x[i].length; j++) {
        x[i][j] += y[i][j];
      }
    }
  }

  /** erf to about 1e-13: Maclaurin series below 3, a continued fraction for erfc above. */
  static double erf(double z) {
    double a = Math.abs(z);
    double result;
    if (a < 3) {
      double term = a;
      double sum = a;
      for (int n = 1; n < 100; n++) {
        term *= -a * a / n;
        double add = term / (2 * n + 1);
        sum += add;
        if (Math.abs(add) < 1e-17) {
          break;
        }
      }
      result = 2 / Math.sqrt(Math.PI) * sum;
    } else {
      // erfc(a) = exp(-a^2)/sqrt(pi) * 1/(a + 1/2/(a + 1/(a + 3/2/(a + ...))))
      double f = a;
      for (int k = 60; k >= 1; k--) {
        f = a + (k / 2.0) / f;
      }
      result = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
    }
    return z < 0 ? -result : result;
  }
}
