package org.aia4j.loss;

import ai.djl.ndarray.NDArray;

/** Scalars in an array's own float type: DJL promotes a 0-d float32 times a Java double to float64. */
final class Scalars {

  private Scalars() {}

  /**
   * @param like the array whose manager and type to use
   * @param value the value
   * @return a 0-d array of {@code like}'s type
   */
  static NDArray like(NDArray like, double value) {
    return like.getManager().create(value).toType(like.getDataType(), false);
  }
}
