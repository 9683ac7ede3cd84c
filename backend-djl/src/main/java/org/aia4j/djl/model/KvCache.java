package org.aia4j.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Keys and values of the positions decoded so far, per layer {@code (B, H, S, d)}, for
 * incremental decoding with {@link UnifiedTransformer#forward(ai.djl.training.ParameterStore,
 * NDArray, KvCache, Capture)}. Every sequence of the batch has the same length {@code S}: feed
 * prompts of one length together (or one at a time). Owns its arrays: close it when done.
 *
 * <p>Keys captured with {@link Capture#QUERY_KEYS} during a cached step are the cache's arrays
 * and are closed by the next step; copy them to keep them. Extension point for batches of
 * unequal prompt lengths (CFG's conditional and unconditional prefixes): left padding with a
 * per-sample key mask and per-sample position offsets, added as extra inputs of the same step.
 */
public final class KvCache implements AutoCloseable {

  private final NDManager manager;
  private final NDArray[] keys;
  private final NDArray[] values;
  private int length;

  /**
   * @param parent the manager whose device the cache lives on
   * @param layers the model's number of layers
   */
  public KvCache(NDManager parent, int layers) {
    this.manager = parent.newSubManager();
    this.keys = new NDArray[layers];
    this.values = new NDArray[layers];
  }

  /** @return the number of positions cached, {@code S} */
  public int length() {
    return length;
  }

  /** @return the number of layers */
  public int layers() {
    return keys.length;
  }

  /** @return layer {@code layer}'s cached keys, or null before the first step */
  NDArray keys(int layer) {
    return keys[layer];
  }

  /** @return layer {@code layer}'s cached values, or null before the first step */
  NDArray values(int layer) {
    return values[layer];
  }

  /** Replaces a layer's keys and values with ones that include the new positions. */
  void update(int layer, NDArray allKeys, NDArray allValues) {
    if (keys[layer] != null && keys[layer] != allKeys) {
      keys[layer].close();
      values[layer].close();
    }
    allKeys.attach(manager);
    allValues.attach(manager);
    keys[layer] = allKeys;
    values[layer] = allValues;
  }

  /** Records that a step appended {@code count} positions to every layer. */
  void advance(int count) {
    length += count;
  }

  /** Releases the cached arrays. */
  @Override
  public void close() {
    manager.close();
  }
}
