package org.aia4j.inference.decode;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.aia4j.api.model.SamplingSettings;

/**
 * Picks tokens from logits for one sequence: argmax when the temperature is 0, else a draw from
 * {@code softmax(logits / temperature)}, restricted to the {@code topK} most likely tokens when
 * {@code topK > 0}, from a random generator seeded once per sequence. Disallowed ids (a mask) are
 * never picked.
 */
public final class TokenSampler {
  private final double temperature;
  private final int topK;
  private final SplittableRandom random;

  /**
   * @param settings temperature and top-k (the CFG weight is applied before, by the caller)
   * @param seed this sequence's seed
   */
  public TokenSampler(SamplingSettings settings, long seed) {
    this.temperature = settings.temperature();
    this.topK = settings.topK();
    this.random = new SplittableRandom(seed);
  }

  /**
   * @param logits next-token logits, not modified
   * @param allowed which ids may be picked, or null for all; at least one must be allowed
   * @return the picked id
   */
  public int pick(float[] logits, boolean[] allowed) {
    int best = -1;
    for (int i = 0; i < logits.length; i++) {
      if ((allowed == null || allowed[i]) && (best < 0 || logits[i] > logits[best])) {
        best = i;
      }
    }
    if (best < 0) {
      throw new IllegalArgumentException("No token is allowed");
    }
    if (temperature == 0.0) {
      return best;
    }
    double threshold = Double.NEGATIVE_INFINITY;
    if (topK > 0) {
      float[] candidates = new float[logits.length];
      int n = 0;
      for (int i = 0; i < logits.length; i++) {
        if (allowed == null || allowed[i]) {
          candidates[n++] = logits[i];
        }
      }
      if (topK < n) {
        float[] sorted = Arrays.copyOf(candidates, n);
        Arrays.sort(sorted);
        threshold = sorted[n - topK];
      }
    }
    double max = logits[best];
    double[] weights = new double[logits.length];
    double total = 0;
    for (int i = 0; i < logits.length; i++) {
      if ((allowed == null || allowed[i]) && logits[i] >= threshold) {
        weights[i] = Math.exp((logits[i] - max) / temperature);
        total += weights[i];
      }
    }
    double u = random.nextDouble() * total;
    int last = best;
    for (int i = 0; i < weights.length; i++) {
      if (weights[i] > 0) {
        last = i;
        u -= weights[i];
        if (u < 0) {
          return i;
        }
      }
    }
    return last;
  }

  /**
   * Classifier-free guidance: {@code u + w (c - u)}.
   *
   * @param conditional logits with the prompt
   * @param unconditional logits without it
   * @param weight {@code w}: 0 gives the unconditional logits, 1 the conditional ones
   * @return the guided logits, a new array
   */
  public static float[] guide(float[] conditional, float[] unconditional, double weight) {
    if (conditional.length != unconditional.length) {
      throw new IllegalArgumentException("Logit rows of different lengths: " + conditional.length
          + " and " + unconditional.length);
    }
    if (weight == 1.0) {
      return conditional.clone();
    }
    if (weight == 0.0) {
      return unconditional.clone();
    }
    float[] out = new float[conditional.length];
    float w = (float) weight;
    for (int i = 0; i < out.length; i++) {
      out[i] = unconditional[i] + w * (conditional[i] - unconditional[i]);
    }
    return out;
  }
}
