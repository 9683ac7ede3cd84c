package org.aia4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Constants for differentiable expressions: use {@code x.mul(Scalars.like(x, c))}, never
 * {@code x.mul(c)}, wherever {@code x} may require a gradient.
 *
 * <p>Why: DJL's PyTorch engine turns the number of {@code mul(Number)}, {@code div(Number)},
 * {@code maximum(Number)} and friends into a 0-d tensor over a Java direct buffer
 * ({@code from_blob}, no copy) and closes it as soon as the op returns. Autograd has saved that
 * tensor for the backward pass (a product needs its other factor), but nothing keeps the Java
 * buffer alive: when the garbage collector frees it between the forward and the backward, the
 * backward reads whatever the allocator wrote there. That was the garbage gradient (norms of 1e5
 * to 1e19) on about 0.3% of training steps. The arrays made here are copies in the engine's own
 * memory, whose lifetime the graph's reference counts decide. The same rule holds for any Java
 * data entering a graph: keep its array open until the backward is done.
 *
 * <p>A second reason: a 0-d float32 times a Java double would be promoted to float64; these
 * constants take the array's own float type.
 */
public final class Scalars {

  private Scalars() {}

  /**
   * @param like the array whose manager and type to use
   * @param value the value
   * @return a 0-d array of {@code like}'s type, in engine-owned memory, attached to {@code like}'s
   *     manager
   */
  public static NDArray like(NDArray like, double value) {
    NDManager manager = like.getManager();
    try (NDArray staged = manager.create(value);
        NDArray typed = staged.toType(like.getDataType(), false)) {
      return typed.duplicate();
    }
  }
}
