package org.aia4j.djl.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter) with global gradient-norm clipping, keeping its state in plain
 * Java arrays.
 *
 * <p>Why not DJL's optimizer: its moment estimates are private, so a run could not be resumed
 * exactly; here the state (moments, master weights, step) is saved in the checkpoint and a
 * resumed run continues bit for bit. The arithmetic runs in float32 like PyTorch's AdamW, and the
 * model is small enough (about a million parameters) that one pass over the arrays per step costs
 * a few milliseconds.
 */
public final class AdamW {
  /** PyTorch's defaults. */
  public static final double BETA1 = 0.9;
  public static final double BETA2 = 0.999;
  public static final double EPSILON = 1e-8;

  private final Map<String, Parameter> parameters;
  private final Map<String, float[]> weights = new LinkedHashMap<>();
  private final Map<String, float[]> firstMoment = new LinkedHashMap<>();
  private final Map<String, float[]> secondMoment = new LinkedHashMap<>();
  private final double weightDecay;
  private long step;

  /**
   * @param parameters the model's parameters by name (initialised)
   * @param weightDecay decoupled decay, applied to parameters of two or more dimensions only
   */
  public AdamW(Map<String, Parameter> parameters, double weightDecay) {
    this.parameters = parameters;
    this.weightDecay = weightDecay;
    for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
      float[] w = e.getValue().getArray().toFloatArray();
      weights.put(e.getKey(), w);
      firstMoment.put(e.getKey(), new float[w.length]);
      secondMoment.put(e.getKey(), new float[w.length]);
    }
  }

  /** Updates taken so far. */
  public long step() {
    return step;
  }

  /**
   * Clips the gradients to a global norm of {@code clipNorm}, takes one AdamW step at
   * {@code learningRate}, writes the new weights into the model and zeroes the gradients.
   *
   * @return the global gradient norm before clipping
   */
  public double update(double learningRate, double clipNorm) {
    List<float[]> grads = new ArrayList<>(parameters.size());
    double sumSq = 0;
    for (Parameter p : parameters.values()) {
      try (NDArray gradient = p.getArray().getGradient()) {
        float[] g = gradient.toFloatArray();
        for (float x : g) {
          sumSq += (double) x * x;
        }
        grads.add(g);
        gradient.subi(gradient);
      }
    }
    double norm = Math.sqrt(sumSq);
    float scale = norm > clipNorm ? (float) (clipNorm / (norm + 1e-6)) : 1f;
    step++;
    float b1 = (float) BETA1;
    float b2 = (float) BETA2;
    float biasCorrection1 = (float) (1 - Math.pow(BETA1, step));
    float biasCorrection2 = (float) Math.sqrt(1 - Math.pow(BETA2, step));
    float lr = (float) learningRate;
    float stepSize = lr / biasCorrection1;
    float eps = (float) EPSILON;
    int index = 0;
    for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
      float[] g = grads.get(index++);
      float[] w = weights.get(e.getKey());
      float[] m = firstMoment.get(e.getKey());
      float[] v = secondMoment.get(e.getKey());
      float decay = e.getValue().getArray().getShape().dimension() >= 2 ? (float) (1 - learningRate * weightDecay) : 1f;
      for (int i = 0; i < w.length; i++) {
        float gi = g[i] * scale;
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        w[i] = w[i] * decay - stepSize * m[i] / ((float) Math.sqrt(v[i]) / biasCorrection2 + eps);
      }
      e.getValue().getArray().set(w);
    }
    return norm;
  }

  /** Re-reads the master weights from the model after its parameters were replaced (fine-tuning). */
  public void reloadWeights() {
    for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
      float[] w = e.getValue().getArray().toFloatArray();
      System.arraycopy(w, 0, weights.get(e.getKey()), 0, w.length);
    }
  }

  /** The optimizer state as named float arrays, for the checkpoint. */
  public Map<String, float[]> state() {
    Map<String, float[]> state = new LinkedHashMap<>();
    firstMoment.forEach((name, m) -> state.put("exp_avg." + name, m));
    secondMoment.forEach((name, v) -> state.put("exp_avg_sq." + name, v));
    state.put("step", new float[] {step});
    return state;
  }

  /**
   * Restores the state saved by {@link #state()}; the model's weights must already be loaded.
   *
   * @throws IllegalArgumentException naming a missing or mis-sized entry
   */
  public void restore(Map<String, float[]> state) {
    for (String name : parameters.keySet()) {
      copy(state, "exp_avg." + name, firstMoment.get(name));
      copy(state, "exp_avg_sq." + name, secondMoment.get(name));
    }
    reloadWeights();
    float[] saved = state.get("step");
    if (saved == null || saved.length != 1 || saved[0] < 0) {
      throw new IllegalArgumentException("optimizer state lacks a valid 'step'");
    }
    step = (long) saved[0];
  }

  private static void copy(Map<String, float[]> state, String key, float[] into) {
    float[] saved = state.get(key);
    if (saved == null || saved.length != into.length) {
      throw new IllegalArgumentException("optimizer state entry '" + key + "' is "
          + (saved == null ? "missing" : "of length " + saved.length + ", expected " + into.length));
    }
    System.arraycopy(saved, 0, into, 0, into.length);
  }
}
