package org.aia4j.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.List;
import org.aia4j.inference.decode.LeftPadding;

/**
 * Keys and values of the positions decoded so far, per layer {@code (B, H, S, d)}, for
 * incremental decoding with {@link UnifiedTransformer#forward(ai.djl.training.ParameterStore,
 * NDArray, KvCache, ForwardOptions)}. Owns its arrays: close it when done.
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

  /**
   * Lays the caches of groups of rows, each prefilled on its own and left-padded only to its own
   * longest prefix, side by side as one cache left-padded to the longest of all: row {@code b}
   * gets its group's slots right-aligned and zero keys and values in front, which its padding
   * masks (a zero key keeps the masked score finite). Later steps see the cache one padded
   * prefill would have made, without its padding having been computed.
   *
   * @param parent the manager whose device the merged cache lives on
   * @param parts the groups' caches, each filled by one prefill; not closed here
   * @param rows per group, the batch rows its cache rows are, in its order
   * @param padding per batch row, its padding slots in the merged cache: the longest group's
   *     length minus the row's prefix length
   * @throws IllegalArgumentException if the groups do not cover every row once, or a row's
   *     padding does not fit its group's
   */
  public static KvCache merge(NDManager parent, List<KvCache> parts, List<int[]> rows, int[] padding) {
    if (parts.isEmpty() || parts.size() != rows.size()) {
      throw new IllegalArgumentException("Expected one row list per cache, got " + parts.size() + " caches and "
          + rows.size() + " row lists");
    }
    int longest = parts.stream().mapToInt(KvCache::length).max().orElseThrow();
    int[] partOf = new int[padding.length];
    int[] indexIn = new int[padding.length];
    Arrays.fill(partOf, -1);
    for (int p = 0; p < parts.size(); p++) {
      for (int k = 0; k < rows.get(p).length; k++) {
        int row = rows.get(p)[k];
        if (row < 0 || row >= padding.length || partOf[row] >= 0) {
          throw new IllegalArgumentException("Row " + row + " is out of range or in two groups");
        }
        int[] own = parts.get(p).padding;
        if (padding[row] - (longest - parts.get(p).length()) != (own == null ? 0 : own[k])) {
          throw new IllegalArgumentException("Row " + row + " has " + padding[row] + " padding slots in the merged "
              + "cache, which does not fit its group's");
        }
        partOf[row] = p;
        indexIn[row] = k;
      }
    }
    if (Arrays.stream(partOf).anyMatch(p -> p < 0)) {
      throw new IllegalArgumentException("Some rows are in no group: " + Arrays.toString(partOf));
    }
    KvCache merged = new KvCache(parent, parts.get(0).layers(), padding);
    for (int layer = 0; layer < merged.layers(); layer++) {
      merged.update(layer, mergeRows(merged.manager, parts, layer, true, partOf, indexIn, longest),
          mergeRows(merged.manager, parts, layer, false, partOf, indexIn, longest));
    }
    merged.advance(longest);
    return merged;
  }

  /** One layer's keys (or values) of every batch row, in batch order, zero-filled on the left. */
  private static NDArray mergeRows(NDManager manager, List<KvCache> parts, int layer, boolean keys, int[] partOf,
      int[] indexIn, int longest) {
    try (NDManager scratch = manager.newSubManager()) {
      NDList pieces = new NDList(partOf.length);
      for (int row = 0; row < partOf.length; row++) {
        KvCache part = parts.get(partOf[row]);
        NDArray all = keys ? part.keys[layer] : part.values[layer];
        NDArray slice = all.get(new NDIndex("{}:{}", indexIn[row], indexIn[row] + 1));
        slice.attach(scratch);
        if (part.length() < longest) {
          NDArray zeros = scratch.zeros(new ai.djl.ndarray.types.Shape(1, slice.getShape().get(1),
              longest - part.length(), slice.getShape().get(3)), slice.getDataType());
          slice = zeros.concat(slice, 2);
        }
        pieces.add(slice);
      }
      NDArray merged = NDArrays.concat(pieces, 0);
      merged.attach(manager);
      return merged;
    }
  }

  /** Releases the cached arrays. */
  @Override
  public void close() {
    manager.close();
  }
}
