package org.aia4j.djl.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.aia4j.inference.model.ModelConfig;
import org.junit.jupiter.api.Test;

/**
 * DJL's autograd against central finite differences. The differences are taken on the float64
 * reference (which the forward test shows equals the DJL forward), so they are precise to about
 * 1e-9 and the tolerance only has to absorb float32 rounding in the DJL gradient.
 *
 * <p>Tolerance: {@code |autograd - fd| <= 2e-4 + 2e-3 |fd|}.
 */
class GradientCheckTest {

  private static final ModelConfig CONFIG = new ModelConfig(2, 16, 2, 24, 12, 20, 3);
  private static final double EPS = 1e-5;

  @Test
  void gradientsOfLogitsAndAttentionLossMatchFiniteDifferences() {
    Random random = new Random(8);
    int batch = 2;
    int t = 8;
    int[][] tokens = UnifiedTransformerTest.randomTokens(random, batch, t, CONFIG.vocabSize());
    // L = sum(logits * R) + sum_l sum(A_l * S_l): exercises the head and the attention captures.
    double[] r = gaussian(random, batch * t * CONFIG.vocabSize());
    double[][] s = new double[CONFIG.layers()][];
    for (int l = 0; l < s.length; l++) {
      s[l] = gaussian(random, batch * CONFIG.heads() * t * t);
    }

    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      UnifiedTransformer model = new UnifiedTransformer(CONFIG);
      model.initialize(manager);
      // Larger weights than the 0.02 init, so attention is far from uniform.
      for (Parameter p : model.namedParameters().values()) {
        float[] v = p.getArray().toFloatArray();
        for (int i = 0; i < v.length; i++) {
          v[i] = p.getType() == Parameter.Type.WEIGHT ? v[i] * 15 : v[i] + (float) (0.2 * random.nextGaussian());
        }
        p.getArray().set(v);
      }
      Map<String, double[]> params = ReferenceTransformer.read(model);

      ParameterStore ps = new ParameterStore(manager, false);
      try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        NDArray input = UnifiedTransformerTest.toArray(manager, tokens);
        ForwardOutput out = model.forward(ps, input, ForwardOptions.training(Capture.PROBABILITIES));
        NDArray loss = out.logits().mul(manager.create(toFloat(r), out.logits().getShape())).sum();
        for (int l = 0; l < CONFIG.layers(); l++) {
          NDArray a = out.attentions().get(l);
          loss = loss.add(a.mul(manager.create(toFloat(s[l]), a.getShape())).sum());
        }
        gc.backward(loss);
      }

      Map<String, int[]> checks = new LinkedHashMap<>();
      checks.put("embedding.token.weight", new int[] {tokens[0][3] * CONFIG.width() + 5});
      checks.put("embedding.position.weight", new int[] {2 * CONFIG.width() + 1, 7 * CONFIG.width()});
      // A query, a key and a value row of layer 0's fused projection.
      checks.put("layers.0.attention.qkv.weight", new int[] {3, 16 * 16 + 40, 32 * 16 + 100});
      checks.put("layers.0.attention.qkv.bias", new int[] {1, 20, 40});
      checks.put("layers.1.attention.out.weight", new int[] {17, 200});
      checks.put("layers.0.attention_norm.weight", new int[] {4});
      checks.put("layers.1.mlp_norm.bias", new int[] {9});
      checks.put("layers.0.mlp.up.weight", new int[] {50, 300});
      checks.put("layers.1.mlp.down.weight", new int[] {11, 250});
      checks.put("layers.1.mlp.down.bias", new int[] {6});
      checks.put("final_norm.weight", new int[] {2});
      checks.put("lm_head.weight", new int[] {tokens[1][2] * CONFIG.width() + 3, 77});

      int compared = 0;
      for (Map.Entry<String, int[]> e : checks.entrySet()) {
        float[] autograd =
            model.namedParameters().get(e.getKey()).getArray().getGradient().toFloatArray();
        for (int index : e.getValue()) {
          double[] p = params.get(e.getKey());
          double saved = p[index];
          p[index] = saved + EPS;
          double plus = loss(params, tokens, r, s);
          p[index] = saved - EPS;
          double minus = loss(params, tokens, r, s);
          p[index] = saved;
          double fd = (plus - minus) / (2 * EPS);
          assertThat((double) autograd[index])
              .as("d loss / d %s[%d] (finite difference %.6g)", e.getKey(), index, fd)
              .isCloseTo(fd, org.assertj.core.api.Assertions.within(2e-4 + 2e-3 * Math.abs(fd)));
          if (Math.abs(fd) > 1e-3) {
            compared++;
          }
        }
      }
      assertThat(compared).as("entries with a non-trivial gradient").isGreaterThanOrEqualTo(15);
    }
  }

  private static double loss(Map<String, double[]> params, int[][] tokens, double[] r, double[][] s) {
    ReferenceTransformer ref = new ReferenceTransformer(CONFIG, params);
    int t = tokens[0].length;
    int v = CONFIG.vocabSize();
    int h = CONFIG.heads();
    double total = 0;
    for (int b = 0; b < tokens.length; b++) {
      ReferenceTransformer.Result res = ref.forward(tokens[b]);
      for (int i = 0; i < t; i++) {
        for (int j = 0; j < v; j++) {
          total += res.logits()[i][j] * r[(b * t + i) * v + j];
        }
      }
      for (int l = 0; l < s.length; l++) {
        for (int hd = 0; hd < h; hd++) {
          for (int i = 0; i < t; i++) {
            for (int j = 0; j < t; j++) {
              total += res.probabilities()[l][hd][i][j] * s[l][((b * h + hd) * t + i) * t + j];
            }
          }
        }
      }
    }
    return total;
  }

  private static double[] gaussian(Random random, int n) {
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) random.nextGaussian();
    }
    return out;
  }

  private static float[] toFloat(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

}
