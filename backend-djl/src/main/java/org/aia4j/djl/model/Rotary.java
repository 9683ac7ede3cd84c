package org.aia4j.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * Rotary position embeddings (RoFormer, arXiv 2104.09864) in Hugging Face's rotate-half
 * convention, as {@code modeling_llama.py} applies them: for a head of width {@code d}, frequency
 * {@code f_i = theta^(-2i/d)} for {@code i < d/2}, angles {@code p f_i} duplicated to width {@code
 * d}, and {@code x' = x cos + rotate_half(x) sin} with {@code rotate_half([a, b]) = [-b, a]} over
 * the two halves of the head.
 *
 * @param cos {@code (B or 1, 1, T, d)} cosines of the positions' angles
 * @param sin {@code (B or 1, 1, T, d)} sines
 */
record Rotary(NDArray cos, NDArray sin) {

  /**
   * @param positions {@code (T)} or {@code (B, T)} int64 positions
   * @param headDim the head width {@code d}, even
   * @param theta the base
   * @return the embedding of those positions, in {@code positions}' manager
   */
  static Rotary of(NDArray positions, int headDim, double theta) {
    NDManager manager = positions.getManager();
    int half = headDim / 2;
    float[] inverse = new float[half];
    for (int i = 0; i < half; i++) {
      // As Hugging Face computes it: in float32, from the even indices over the head width.
      inverse[i] = (float) (1.0 / Math.pow(theta, (2.0 * i) / headDim));
    }
    // duplicate(): the engine's own copy, whatever lifetime the Java buffer has (see Scalars).
    try (NDArray staged = manager.create(inverse)) {
      NDArray frequencies = staged.duplicate();
      NDArray p = positions.toType(DataType.FLOAT32, false);
      if (p.getShape().dimension() == 1) {
        p = p.expandDims(0);
      }
      // (B, T, 1) x (d/2) -> (B, T, d/2) -> (B, T, d) -> (B, 1, T, d)
      NDArray angles = p.expandDims(-1).mul(frequencies);
      NDArray full = NDArrays.concat(new NDList(angles, angles), -1).expandDims(1);
      return new Rotary(full.cos(), full.sin());
    }
  }

  /**
   * @param x {@code (B, heads, T, d)} queries or keys
   * @return {@code x} rotated by the positions' angles
   */
  NDArray apply(NDArray x) {
    long d = x.getShape().get(3);
    long half = d / 2;
    NDArray first = x.get(new NDIndex("..., :{}", half));
    NDArray second = x.get(new NDIndex("..., {}:", half));
    NDArray rotated = NDArrays.concat(new NDList(second.neg(), first), -1);
    return x.mul(cos).add(rotated.mul(sin));
  }
}
