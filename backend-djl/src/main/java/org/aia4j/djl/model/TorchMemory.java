package org.aia4j.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Objects;

/**
 * Puts Java values into arrays whose memory libtorch owns.
 *
 * <p>Why: DJL's {@code NDManager.create(float[])} and {@code NDArray.set(float[])} wrap a Java
 * direct buffer without copying, so the tensor lives only as long as that Java object keeps the
 * buffer reachable. That is fine for a step's inputs, which die with the step, but long-lived
 * arrays (parameters, optimizer moments) that autograd and in-place updates touch for hours
 * must sit in libtorch's own allocator, where the native side alone decides their lifetime.
 */
public final class TorchMemory {

  private TorchMemory() {}

  /**
   * A copy of {@code values} in libtorch-allocated memory, attached to {@code manager}.
   *
   * @throws IllegalArgumentException if the shape does not hold exactly {@code values.length}
   */
  public static NDArray copyOf(NDManager manager, float[] values, Shape shape) {
    Objects.requireNonNull(manager, "manager");
    checkSize(values, shape);
    try (NDArray staged = manager.create(values, shape)) {
      return staged.duplicate();
    }
  }

  /**
   * Overwrites {@code target}'s values in place (its storage, identity and gradient slot stay),
   * with a libtorch copy rather than by swapping in a Java buffer.
   *
   * @throws IllegalArgumentException if {@code values} does not match the target's size
   */
  public static void overwrite(NDArray target, float[] values) {
    Objects.requireNonNull(target, "target");
    checkSize(values, target.getShape());
    try (NDManager scratch = target.getManager().newSubManager();
        NDArray staged = scratch.create(values, target.getShape())) {
      target.set(new NDIndex("..."), staged);
    }
  }

  private static void checkSize(float[] values, Shape shape) {
    Objects.requireNonNull(values, "values");
    if (shape.size() != values.length) {
      throw new IllegalArgumentException(values.length + " values do not fill shape " + shape);
    }
  }
}
