package org.aia4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The interaction mass of DESIGN section 3, defined once for the loss, the profiler and the
 * reports:
 *
 * <pre>
 *   I_l = mean over heads h, mean over queries q in Q, of  sum over keys k in K of A_l[h, q, k]
 * </pre>
 *
 * per sample, where {@code A_l} is layer {@code l}'s post-softmax attention. Two ways to compute
 * it, with the same values and gradients:
 *
 * <ul>
 *   <li>{@link #fromAttention}: from the full {@code (B, H, T, T)} attention probabilities, for a
 *       model that materialises them anyway (eager attention, inspection, small models);
 *   <li>{@link #fromQueriesAndKeys}: from the layer's per-head queries and keys, recomputing only
 *       the rows of {@code Q}: {@code softmax(q_Q k^T + mask)} is {@code (B, H, Qmax, T)}. A row of
 *       {@code A} depends only on its own logits, so these rows equal the full map's rows and the
 *       gradients flowing through them into {@code q} and {@code k} are exact. Use it when the
 *       model's own attention stays fused (flash / SDPA kernels that never return {@code A}) or
 *       when {@code B H T^2} floats per layer do not fit: an understanding batch has a handful
 *       of answer tokens, so it costs {@code Qmax/T} of the full map.
 * </ul>
 *
 * <p>A sample with an empty {@code Q} gets 0; {@link #hasQueries} says which samples had queries
 * (the loss averages only over those). All arrays stay on the inputs' device and in their float
 * type; nothing is copied to the host.
 */
public final class InteractionStatistic {

  /** Added to masked-out attention logits: finite, so an all-masked padding row gives no NaN. */
  static final double MASKED_LOGIT = -1e9;

  private InteractionStatistic() {}

  /**
   * Path (a): from the full post-softmax attention of one layer.
   *
   * @param attention {@code (B, H, T, T)}: {@code A[b, h, q, k]}, rows summing to 1
   * @param queryMask {@code (B, T)} 0/1: the query positions {@code Q}
   * @param keyMask {@code (B, T)} 0/1: the key positions {@code K}
   * @return {@code (B)}: each sample's {@code I_l}, 0 where {@code Q} is empty
   */
  public static NDArray fromAttention(NDArray attention, NDArray queryMask, NDArray keyMask) {
    Shape shape = attention.getShape();
    if (shape.dimension() != 4 || shape.get(2) != shape.get(3)) {
      throw new IllegalArgumentException("attention must be (B, H, T, T), got " + shape);
    }
    long b = shape.get(0);
    long t = shape.get(2);
    requireShape("queryMask", queryMask, new Shape(b, t), "(B, T)");
    requireShape("keyMask", keyMask, new Shape(b, t), "(B, T)");
    DataType type = attention.getDataType();
    NDArray keys = keyMask.toType(type, false).reshape(b, 1, t, 1);
    // (B, H, T, T) x (B, 1, T, 1) -> (B, H, T, 1): each row's mass on K, without a T^2 temporary.
    NDArray rowMass = attention.matMul(keys).squeeze(3);
    return meanOverQueries(rowMass.mean(new int[] {1}), queryMask.toType(type, false));
  }

  /**
   * Path (b): from one layer's per-head queries and keys, computing only the rows of {@code Q}.
   * The masks must be the ones the model's attention uses: causal ({@code k <= q}, applied here
   * from the gathered positions) and, if the batch is padded, the key padding mask.
   *
   * @param queries {@code (B, H, T, d)}: per-head queries (before or after RoPE, exactly as the
   *     attention uses them)
   * @param keys {@code (B, H, T, d)}: per-head keys, likewise
   * @param scale the logit scale, usually {@code 1/sqrt(d)}; 1 when {@code queries} are already
   *     scaled
   * @param queryIndex {@code (B, Qmax)} integer: the query positions of each sample, padded with
   *     any in-range position
   * @param queryValid {@code (B, Qmax)} 0/1: which entries of {@code queryIndex} are real
   * @param keyMask {@code (B, T)} 0/1: the key positions {@code K}
   * @param keyPadding {@code (B, T)} 0/1 or null: 1 for real tokens, 0 for padding keys that the
   *     model's attention masks out; null when nothing is padded
   * @return {@code (B)}: each sample's {@code I_l}, 0 where {@code Q} is empty
   */
  public static NDArray fromQueriesAndKeys(
      NDArray queries,
      NDArray keys,
      double scale,
      NDArray queryIndex,
      NDArray queryValid,
      NDArray keyMask,
      NDArray keyPadding) {
    Shape qs = queries.getShape();
    if (qs.dimension() != 4) {
      throw new IllegalArgumentException("queries must be (B, H, T, d), got " + qs);
    }
    requireShape("keys", keys, qs, "(B, H, T, d) like queries");
    long b = qs.get(0);
    long h = qs.get(1);
    long t = qs.get(2);
    long d = qs.get(3);
    Shape indexShape = queryIndex.getShape();
    if (indexShape.dimension() != 2 || indexShape.get(0) != b) {
      throw new IllegalArgumentException(
          "queryIndex must be (B, Qmax) with B = " + b + ", got " + indexShape);
    }
    long qmax = indexShape.get(1);
    requireShape("queryValid", queryValid, indexShape, "(B, Qmax) like queryIndex");
    requireShape("keyMask", keyMask, new Shape(b, t), "(B, T)");
    if (keyPadding != null) {
      requireShape("keyPadding", keyPadding, new Shape(b, t), "(B, T)");
    }
    DataType type = queries.getDataType();
    NDManager manager = queries.getManager();

    NDArray index = queryIndex.toType(DataType.INT64, false);
    NDArray gatherIndex = index.reshape(b, 1, qmax, 1).broadcast(b, h, qmax, d);
    NDArray rows = queries.gather(gatherIndex, 2); // (B, H, Qmax, d)
    NDArray logits = rows.matMul(keys.transpose(0, 1, 3, 2)); // (B, H, Qmax, T)
    if (scale != 1.0) {
      logits = logits.mul(Scalars.like(logits, scale));
    }
    // Causal mask for the gathered rows: key j is visible from query position p iff j <= p.
    NDArray positions = manager.arange(t).toType(DataType.INT64, false).reshape(1, 1, 1, t);
    NDArray visible = positions.lte(index.reshape(b, 1, qmax, 1)); // (B, 1, Qmax, T)
    if (keyPadding != null) {
      visible = visible.logicalAnd(keyPadding.reshape(b, 1, 1, t).gt(0));
    }
    // Additive bias, 0 where visible, MASKED_LOGIT elsewhere: exp underflows to exactly 0, so
    // masked keys get probability 0 and zero gradient, as with the model's own masking.
    NDArray bias = visible.toType(type, false).sub(1).mul(-MASKED_LOGIT);
    NDArray probabilities = logits.add(bias).softmax(3);
    NDArray keyColumn = keyMask.toType(type, false).reshape(b, 1, t, 1);
    NDArray rowMass = probabilities.matMul(keyColumn).squeeze(3); // (B, H, Qmax)
    return meanOverQueries(rowMass.mean(new int[] {1}), queryValid.toType(type, false));
  }

  /**
   * @param queryMask {@code (B, T)} query mask or {@code (B, Qmax)} query validity
   * @return {@code (B)} float 0/1 of the mask's type (float32 for non-float masks): 1 where the
   *     sample has at least one query
   */
  public static NDArray hasQueries(NDArray queryMask) {
    DataType type = queryMask.getDataType().isFloating() ? queryMask.getDataType() : DataType.FLOAT32;
    return queryMask.toType(type, false).sum(new int[] {1}).gt(0).toType(type, false);
  }

  /** Weighted mean of per-query masses {@code (B, Q)} with 0/1 weights {@code (B, Q)}, 0 if none. */
  private static NDArray meanOverQueries(NDArray perQuery, NDArray weights) {
    NDArray total = perQuery.mul(weights).sum(new int[] {1});
    NDArray count = weights.sum(new int[] {1}).maximum(1);
    return total.div(count);
  }

  private static void requireShape(String what, NDArray array, Shape expected, String symbolic) {
    Shape actual = array.getShape();
    if (!actual.equals(expected)) {
      throw new IllegalArgumentException(
          what + " must be " + symbolic + " = " + expected + ", got " + actual);
    }
  }
}
