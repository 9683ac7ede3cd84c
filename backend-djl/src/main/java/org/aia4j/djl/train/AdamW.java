package org.aia4j.djl.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aia4j.djl.model.TorchMemory;

/**
 * AdamW (Loshchilov and Hutter) with global gradient-norm clipping, as PyTorch's
 * {@code torch.optim.AdamW} computes it, on the engine's own kernels and in place.
 *
 * <p>Why not DJL's optimizer: its moment estimates are private, so a run could not be resumed
 * exactly; here the moments are arrays this class owns, saved in the checkpoint, and a resumed
 * run continues bit for bit. Parameters are only ever changed in place: replacing a parameter's
 * storage every step (as {@code NDArray.set(float[])} does) is both slower and fragile.
 */
public final class AdamW implements AutoCloseable {
  /** PyTorch's defaults. */
  public static final double BETA1 = 0.9;
  public static final double BETA2 = 0.999;
  public static final double EPSILON = 1e-8;

  private final Map<String, Parameter> parameters;
  private final NDManager manager;
  private final Map<String, NDArray> firstMoment = new LinkedHashMap<>();
  private final Map<String, NDArray> secondMoment = new LinkedHashMap<>();
  private final double weightDecay;
  private long step;
  private List<String> lastNonFinite = List.of();

  /**
   * @param parameters the model's parameters by name (initialised)
   * @param weightDecay decoupled decay, applied to parameters of two or more dimensions only
   */
  public AdamW(Map<String, Parameter> parameters, double weightDecay) {
    this.parameters = parameters;
    this.weightDecay = weightDecay;
    NDManager owner = parameters.values().iterator().next().getArray().getManager();
    this.manager = owner.newSubManager();
    for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
      Shape shape = e.getValue().getArray().getShape();
      firstMoment.put(e.getKey(), manager.zeros(shape));
      secondMoment.put(e.getKey(), manager.zeros(shape));
    }
  }

  /** Updates taken so far (skipped ones included). */
  public long step() {
    return step;
  }

  /** Parameters whose gradient was not finite in the last {@link #update} (which was then skipped). */
  public List<String> lastNonFinite() {
    return lastNonFinite;
  }

  /**
   * The gradients' squared norms, and which are not finite.
   *
   * @param squaredSum the sum over all parameters of the squared gradient entries
   * @param nonFinite the parameters whose gradient holds a NaN or an infinity, in parameter order
   */
  public record GradientCheck(double squaredSum, List<String> nonFinite) {
    /** @return whether every gradient is finite */
    public boolean finite() {
      return nonFinite.isEmpty();
    }
  }

  /** Reads the gradients (as accumulated by the last backward) without changing them. */
  public GradientCheck check() {
    try (NDManager scope = manager.newSubManager()) {
      List<String> nonFinite = new ArrayList<>();
      double sumSq = 0;
      for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
        NDArray gradient = e.getValue().getArray().getGradient();
        gradient.attach(scope);
        double sq = gradient.square().sum().getFloat();
        if (!Double.isFinite(sq)) {
          nonFinite.add(e.getKey());
        }
        sumSq += sq;
      }
      return new GradientCheck(sumSq, List.copyOf(nonFinite));
    }
  }

  /** Sets every gradient to zero (a fill, not a product: inf * 0 would leave NaN behind). */
  public void zeroGradients() {
    try (NDManager scope = manager.newSubManager()) {
      for (Parameter parameter : parameters.values()) {
        NDArray gradient = parameter.getArray().getGradient();
        gradient.attach(scope);
        gradient.set(new NDIndex("..."), 0f);
      }
    }
  }

  /**
   * Clips the gradients to a global norm of {@code clipNorm}, takes one AdamW step at
   * {@code learningRate} and zeroes the gradients.
   *
   * @return the global gradient norm before clipping, or NaN if a gradient was not finite: then
   *     the weights and moments are left as they were (see {@link #lastNonFinite()}), as
   *     mixed-precision trainers skip a step on overflow, and the step still counts
   */
  public double update(double learningRate, double clipNorm) {
    return update(learningRate, clipNorm, check());
  }

  /**
   * {@link #update(double, double)} with the gradients' {@link #check()} already made.
   *
   * @param check the check of the gradients as they are now
   */
  public double update(double learningRate, double clipNorm, GradientCheck check) {
    try (NDManager scope = manager.newSubManager()) {
      lastNonFinite = check.nonFinite();
      step++;
      if (!check.finite()) {
        zeroGradients();
        return Double.NaN;
      }
      Map<String, NDArray> gradients = new LinkedHashMap<>();
      for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
        NDArray gradient = e.getValue().getArray().getGradient();
        gradient.attach(scope);
        gradients.put(e.getKey(), gradient);
      }
      double sumSq = check.squaredSum();
      double norm = Math.sqrt(sumSq);
      double scale = norm > clipNorm ? clipNorm / (norm + 1e-6) : 1.0;
      double biasCorrection1 = 1 - Math.pow(BETA1, step);
      double biasCorrection2 = Math.sqrt(1 - Math.pow(BETA2, step));
      float stepSize = (float) (learningRate / biasCorrection1);
      for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
        NDArray weight = e.getValue().getArray();
        NDArray m = firstMoment.get(e.getKey());
        NDArray v = secondMoment.get(e.getKey());
        NDArray g = gradients.get(e.getKey());
        // Temporaries of ops on long-lived arrays land in this step's scope, not in their managers.
        weight.tempAttach(scope);
        m.tempAttach(scope);
        v.tempAttach(scope);
        NDArray clipped = scale == 1.0 ? g : g.mul((float) scale);
        if (weight.getShape().dimension() >= 2 && weightDecay > 0) {
          weight.muli((float) (1 - learningRate * weightDecay));
        }
        m.muli((float) BETA1).addi(clipped.mul((float) (1 - BETA1)));
        v.muli((float) BETA2).addi(clipped.square().mul((float) (1 - BETA2)));
        NDArray denominator = v.sqrt().div((float) biasCorrection2).add((float) EPSILON);
        weight.subi(m.div(denominator).mul(stepSize));
        g.muli(0f);
      }
      return norm;
    }
  }

  /** The optimizer state as named float arrays, for the checkpoint. */
  public Map<String, float[]> state() {
    Map<String, float[]> state = new LinkedHashMap<>();
    firstMoment.forEach((name, m) -> state.put("exp_avg." + name, m.toFloatArray()));
    secondMoment.forEach((name, v) -> state.put("exp_avg_sq." + name, v.toFloatArray()));
    state.put("step", new float[] {step});
    return state;
  }

  /**
   * Restores the state saved by {@link #state()}.
   *
   * @throws IllegalArgumentException naming a missing or mis-sized entry
   */
  public void restore(Map<String, float[]> state) {
    float[] saved = state.get("step");
    if (saved == null || saved.length != 1 || saved[0] < 0) {
      throw new IllegalArgumentException("optimizer state lacks a valid 'step'");
    }
    for (String name : parameters.keySet()) {
      replace(firstMoment, name, state, "exp_avg." + name);
      replace(secondMoment, name, state, "exp_avg_sq." + name);
    }
    step = (long) saved[0];
  }

  private void replace(Map<String, NDArray> moments, String name, Map<String, float[]> state, String key) {
    NDArray current = moments.get(name);
    float[] values = state.get(key);
    if (values == null || values.length != current.size()) {
      throw new IllegalArgumentException("optimizer state entry '" + key + "' is "
          + (values == null ? "missing" : "of length " + values.length + ", expected " + current.size()));
    }
    moments.put(name, TorchMemory.copyOf(manager, values, current.getShape()));
    current.close();
  }

  @Override
  public void close() {
    manager.close();
  }
}
