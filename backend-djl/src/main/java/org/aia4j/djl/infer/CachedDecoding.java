package org.aia4j.djl.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.aia4j.api.model.Task;
import org.aia4j.djl.model.ForwardOptions;
import org.aia4j.djl.model.KvCache;
import org.aia4j.djl.model.UnifiedTransformer;
import org.aia4j.inference.decode.Decoding;
import org.aia4j.inference.decode.LeftPadding;
import org.aia4j.inference.decode.PrefillGroups;

/**
 * Decodes a batch with a KV cache: the prefixes are left-padded to the longest and fed in one
 * forward (or in groups of similar lengths, {@link #start}), then each step feeds one token per row. Padding slots are masked as keys and positions
 * count from each row's first real token ({@link KvCache#KvCache(NDManager, int, int[])}), so a
 * row's logits do not depend on the other rows.
 */
final class CachedDecoding implements Decoding {
  private final UnifiedTransformer model;
  private final NDManager manager;
  private final ParameterStore ps;
  private final Task task;
  private KvCache cache;
  private int rows;

  /** @param task picks the branch of a forked model */
  CachedDecoding(UnifiedTransformer model, NDManager parent, Task task) {
    this.model = model;
    this.task = task;
    this.manager = parent.newSubManager();
    this.ps = new ParameterStore(manager, false);
  }

  /**
   * Prefills the prefixes: in one padded forward, or, for prefixes of very different lengths, in
   * groups of similar lengths ({@link PrefillGroups}) whose caches are then merged ({@link
   * KvCache#merge}), as the ONNX decoding does.
   */
  @Override
  public float[][] start(List<int[]> prefixes) {
    if (cache != null) {
      throw new IllegalStateException("start may be called once");
    }
    PrefillGroups plan = PrefillGroups.of(prefixes);
    LeftPadding all = LeftPadding.of(prefixes);
    rows = all.rows();
    if (plan.single()) {
      cache = new KvCache(manager, model.config().layers(), all.padding());
      return forward(all.ids(), rows, all.length(), cache);
    }
    float[][] logits;
    List<KvCache> parts = new ArrayList<>();
    try {
      logits = plan.prefill(prefixes, (group, batch) -> {
        KvCache partCache = new KvCache(manager, model.config().layers(), batch.padding());
        parts.add(partCache);
        return forward(batch.ids(), batch.rows(), batch.length(), partCache);
      });
      cache = KvCache.merge(manager, parts, plan.groups(), all.padding());
    } finally {
      parts.forEach(KvCache::close);
    }
    return logits;
  }

  @Override
  public float[][] next(int[] tokens) {
    if (cache == null) {
      throw new IllegalStateException("call start first");
    }
    if (tokens.length != rows) {
      throw new IllegalArgumentException("Expected " + rows + " tokens, got " + tokens.length);
    }
    long[] ids = new long[rows];
    for (int b = 0; b < rows; b++) {
      ids[b] = tokens[b];
    }
    return forward(ids, rows, 1, cache);
  }

  /** One forward of {@code length} new tokens per row through {@code into}; each row's last logits. */
  private float[][] forward(long[] ids, int batch, int length, KvCache into) {
    try (NDManager step = manager.newSubManager()) {
      NDArray tokens = step.create(ids, new Shape(batch, length));
      NDArray logits = model.forward(ps, tokens, into, ForwardOptions.logitsOnly().forTask(task)).logits();
      float[] last = logits.get(new NDIndex(":, -1, :")).toFloatArray();
      return split(last, batch);
    }
  }

  /** Drops finished rows from the cache (see {@link Decoding#keep}). */
  @Override
  public boolean keep(int[] kept) {
    if (cache == null) {
      throw new IllegalStateException("call start first");
    }
    cache.keep(kept);
    rows = kept.length;
    return true;
  }

  static float[][] split(float[] flat, int rows) {
    int v = flat.length / rows;
    float[][] out = new float[rows][v];
    for (int b = 0; b < rows; b++) {
      System.arraycopy(flat, b * v, out[b], 0, v);
    }
    return out;
  }

  @Override
  public void close() {
    if (cache != null) {
      cache.close();
    }
    manager.close();
  }
}
