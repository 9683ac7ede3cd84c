package org.aia4j.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import org.aia4j.inference.decode.LeftPadding;

/**
 * Keys and values of the positions decoded so far, per layer {@code (B, H, S, d)}, for
 * incremental decoding with {@link UnifiedTransformer#forward(ai.djl.training.ParameterStore,
 * NDArray, KvCache, Capture)}. Owns its arrays: close it when done.
 *
 * <p>Prompts of different lengths share one cache through <em>left padding</em>: made with
 * {@link #KvCache(NDManager, int, int[])}, sample {@code b}'s first {@code padding[b]} slots are
 * padding. Those slots are masked out as keys for every later query, and the position of slot
 * {@code j} of sample {@code b} is {@code j - padding[b]}, so each sample is computed exactly as if
 * it were alone and unpadded (up to float summation order). Without padding every sample's
 * position is its slot, as in training.
 *
 * <p>Keys captured with {@link Capture#QUERY_KEYS} during a cached step are the cache's arrays
 * and are closed by the next step; copy them to keep them.
 */
public final class KvCache implements AutoCloseable {

  private final NDManager manager;
  private final NDArray[] keys;
  private final NDArray[] values;
  private int[] padding;
  private int length;

  /**
   * A cache for sequences that all start at slot 0 (no padding).
   *
   * @param parent the manager whose device the cache lives on
   * @param layers the model's number of layers
   */
  public KvCache(NDManager parent, int layers) {
    this(parent, layers, null);
  }

  /**
   * A cache for a left-padded batch.
   *
   * @param parent the manager whose device the cache lives on
   * @param layers the model's number of layers
   * @param padding per sample, how many leading slots are padding (each {@code >= 0}); its length
   *     is the batch size every step must have. Null means no padding, any batch size
   */
  public KvCache(NDManager parent, int layers, int[] padding) {
    if (padding != null) {
      for (int b = 0; b < padding.length; b++) {
        if (padding[b] < 0) {
          throw new IllegalArgumentException("padding[" + b + "] must be >= 0, got " + padding[b]);
        }
      }
    }
    this.manager = parent.newSubManager();
    this.keys = new NDArray[layers];
    this.values = new NDArray[layers];
    this.padding = padding == null ? null : padding.clone();
  }

  /** @return true when some sample has leading padding slots */
  public boolean isPadded() {
    return padding != null && Arrays.stream(padding).anyMatch(p -> p > 0);
  }

  /** @return per sample, the number of leading padding slots (a copy), or null without padding */
  public int[] padding() {
    return padding == null ? null : padding.clone();
  }

  /**
   * @param scratch where to create the array
   * @param start the first new slot
   * @param count the number of new slots
   * @return {@code (B, count)} int64 position of each new slot: {@code max(0, slot - padding[b])}
   */
  NDArray positions(NDManager scratch, int start, int count) {
    long[] index = new long[padding.length * count];
    for (int b = 0; b < padding.length; b++) {
      for (int i = 0; i < count; i++) {
        index[b * count + i] = Math.max(0, start + i - padding[b]);
      }
    }
    return scratch.create(index, new ai.djl.ndarray.types.Shape(padding.length, count));
  }

  /**
   * @param scratch where to create the array
   * @param keyCount the number of key slots, cached and new
   * @param masked the additive value of a masked key
   * @return {@code (B, 1, 1, keyCount)} additive mask: {@code masked} on padding slots, else 0
   */
  NDArray keyPaddingBias(NDManager scratch, int keyCount, float masked) {
    float[] bias = new float[padding.length * keyCount];
    for (int b = 0; b < padding.length; b++) {
      Arrays.fill(bias, b * keyCount, b * keyCount + Math.min(padding[b], keyCount), masked);
    }
    return scratch.create(bias, new ai.djl.ndarray.types.Shape(padding.length, 1, 1, keyCount))
        .toType(DataType.FLOAT32, false);
  }

  /** @return the batch size the padding was given for, or -1 without padding */
  int batchSize() {
    return padding == null ? -1 : padding.length;
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

  /**
   * Keeps only {@code rows} of the batch, in that order: every layer's keys and values and the
   * padding. Later steps then feed one token per kept row.
   *
   * @param rows strictly increasing indices of the rows to keep
   * @throws IllegalArgumentException if the indices are not increasing or out of range
   */
  public void keep(int[] rows) {
    // A cache without padding still has a batch size once filled: check the rows against it.
    int batch = padding != null ? padding.length : keys[0] != null ? Math.toIntExact(keys[0].getShape().get(0)) : 0;
    int[] keptPadding = LeftPadding.kept(padding != null ? padding : new int[batch], rows);
    for (int layer = 0; layer < keys.length; layer++) {
      if (keys[layer] != null) {
        keys[layer] = selectRows(keys[layer], rows);
        values[layer] = selectRows(values[layer], rows);
      }
    }
    if (padding != null) {
      padding = keptPadding;
    }
  }

  /** The rows of {@code all} (closed here) as a new array in this cache's manager. */
  private NDArray selectRows(NDArray all, int[] rows) {
    NDList parts = new NDList(rows.length);
    for (int row : rows) {
      parts.add(all.get(new NDIndex("{}:{}", row, row + 1)));
    }
    NDArray kept = NDArrays.concat(parts, 0);
    kept.attach(manager);
    parts.close();
    all.close();
    return kept;
  }

  /** Releases the cached arrays. */
  @Override
  public void close() {
    manager.close();
  }
}
