package org.aia4j.api.interaction;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.aia4j.api.interaction.InteractionRoles;

/**
 * The query set {@code Q} and key set {@code K} of every sample of a batch, in the two forms the
 * interaction statistic ({@code org.aia4j.loss.InteractionStatistic}) takes: {@code (B, T)} 0/1 masks for the full-map path, and {@code
 * (B, Qmax)} query indices with a validity mask for the memory-lean path. Built by {@link
 * InteractionRoles#sets(int[][])}; host arrays, row-major, turned into NDArrays on demand.
 *
 * @param batch {@code B}
 * @param length {@code T}
 * @param queryMax {@code Qmax}: the largest {@code |Q|} in the batch, at least 1
 * @param queryMask {@code B*T}: 1 where the position is a query
 * @param keyMask {@code B*T}: 1 where the position is a key
 * @param queryIndex {@code B*Qmax}: sample {@code b}'s query positions in increasing order, then
 *     padding (0)
 * @param queryValid {@code B*Qmax}: 1 for real query entries, 0 for padding
 */
public record InteractionSets(
    int batch,
    int length,
    int queryMax,
    float[] queryMask,
    float[] keyMask,
    long[] queryIndex,
    float[] queryValid) {

  /**
   * @param sample a sample index
   * @return {@code |Q|} of that sample
   */
  public int queryCount(int sample) {
    int n = 0;
    for (int i = 0; i < queryMax; i++) {
      n += queryValid[sample * queryMax + i] != 0f ? 1 : 0;
    }
    return n;
  }

  /**
   * @param sample a sample index
   * @return {@code |K|} of that sample
   */
  public int keyCount(int sample) {
    int n = 0;
    for (int t = 0; t < length; t++) {
      n += keyMask[sample * length + t] != 0f ? 1 : 0;
    }
    return n;
  }

  /**
   * @param manager where to create the array
   * @return {@code (B, T)} float32 query mask
   */
  public NDArray queryMask(NDManager manager) {
    return manager.create(queryMask, new Shape(batch, length));
  }

  /**
   * @param manager where to create the array
   * @return {@code (B, T)} float32 key mask
   */
  public NDArray keyMask(NDManager manager) {
    return manager.create(keyMask, new Shape(batch, length));
  }

  /**
   * @param manager where to create the array
   * @return {@code (B, Qmax)} int64 query positions
   */
  public NDArray queryIndex(NDManager manager) {
    return manager.create(queryIndex, new Shape(batch, queryMax));
  }

  /**
   * @param manager where to create the array
   * @return {@code (B, Qmax)} float32 validity of the query entries
   */
  public NDArray queryValid(NDManager manager) {
    return manager.create(queryValid, new Shape(batch, queryMax));
  }

  /**
   * Floats of one layer's attention probabilities each path materialises for this batch with
   * {@code heads} heads: {@code B*H*T*T} for the full map, {@code B*H*Qmax*T} for the lean path.
   *
   * @param heads {@code H}
   * @return {@code {full, lean}}
   */
  public long[] attentionFloats(int heads) {
    long full = (long) batch * heads * length * length;
    long lean = (long) batch * heads * queryMax * length;
    return new long[] {full, lean};
  }
}
