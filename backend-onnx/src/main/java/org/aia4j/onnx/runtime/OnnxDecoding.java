package org.aia4j.onnx.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import org.aia4j.inference.decode.Decoding;
import org.aia4j.inference.decode.LeftPadding;
import org.aia4j.inference.decode.PrefillGroups;

/**
 * Decodes a batch on an ONNX Runtime session with the export's two-part KV cache: the prefixes go
 * in one run (or a few, {@link #start}), left-padded, then each step feeds one token per row. The
 * prompt's {@code present.*} outputs become the frozen {@code past_key_values.*} of every step,
 * and each step's {@code present.*} (the tokens decoded so far) the next step's {@code
 * recent_key_values.*}; both stay in native memory. The attention mask hides padding slots and
 * positions count from each row's first real token, exactly as the DJL decoding does, so a row's
 * logits do not depend on the others.
 */
final class OnnxDecoding implements Decoding {
  private final OrtEnvironment env;
  private final OnnxSession model;
  /** The prompt's cache, as {@code past_key_values.*} inputs; null before {@link #start}. */
  private CachePart past;
  /** The decoded tokens' cache, as {@code recent_key_values.*} inputs; null until a step ran. */
  private CachePart recent;
  private int rows;
  private int[] padding;
  private int length;

  /**
   * Tensors of one part of the cache, keyed by the inputs they feed, and what owns them: a run's
   * result (its outputs) or, when null, the tensors themselves (made by this decoding).
   */
  private record CachePart(Map<String, OnnxTensor> inputs, OrtSession.Result owner) implements AutoCloseable {
    /** The {@code present.*} outputs of {@code result}, as the inputs named by {@code key}/{@code value}. */
    static CachePart of(OrtSession.Result result, IntFunction<String> key, IntFunction<String> value, int layers) {
      Map<String, OnnxTensor> inputs = new HashMap<>();
      for (int i = 0; i < layers; i++) {
        inputs.put(key.apply(i), output(result, OnnxSession.presentKey(i)));
        inputs.put(value.apply(i), output(result, OnnxSession.presentValue(i)));
      }
      return new CachePart(inputs, result);
    }

    @Override
    public void close() {
      if (owner != null) {
        owner.close();
      } else {
        inputs.values().forEach(OnnxTensor::close);
      }
    }
  }

  OnnxDecoding(OrtEnvironment env, OnnxSession model) {
    this.env = env;
    this.model = model;
  }

  /**
   * Prefills the prefixes. Prefixes of very different lengths (a guided image's 2-token
   * unconditional row beside its caption, captions of many lengths) are prefilled in groups of
   * similar lengths ({@link PrefillGroups}), each padded only to its own longest, and their caches
   * are then laid side by side, left-padded to the longest prefix ({@link #rebuild}): the same
   * cache and logits as one padded run, without computing the padding.
   */
  @Override
  public float[][] start(List<int[]> prefixes) {
    if (padding != null) {
      throw new IllegalStateException("start may be called once");
    }
    if (!PrefillGroups.of(prefixes).single()) {
      length = 0;
      return rebuild(new int[0], prefixes);
    }
    LeftPadding all = LeftPadding.of(prefixes);
    OrtSession.Result result = forward(all.ids(), all.positions(), all.rows(), all.length(), all.padding(), 0,
        Map.of());
    past = CachePart.of(result, OnnxSession::pastKey, OnnxSession::pastValue, model.config().layers());
    rows = all.rows();
    padding = all.padding();
    length = all.length();
    return lastLogits(result, rows, length);
  }

  @Override
  public boolean joins() {
    return true;
  }

  @Override
  public float[][] join(int[] kept, List<int[]> prefixes) {
    if (padding == null) {
      if (kept.length > 0) {
        throw new IllegalStateException("call start first: there are no rows to keep");
      }
      return start(prefixes);
    }
    return rebuild(checkedRows(kept), prefixes);
  }

  /**
   * Builds the cache anew, in one tensor per layer and key/value, of the {@code kept} rows and the
   * prefilled {@code prefixes} after them, every row right-aligned to the longest (the slots every
   * row pads are dropped). The copy passes through Java once per tensor; the state changes only
   * once every run has succeeded, so a failed prefill leaves the decoding as it was.
   */
  private float[][] rebuild(int[] kept, List<int[]> prefixes) {
    CacheShape c = new CacheShape();
    int[] keptLengths = new int[kept.length];
    for (int k = 0; k < kept.length; k++) {
      keptLengths[k] = length - padding[kept[k]];
    }
    int longest = Math.max(java.util.Arrays.stream(keptLengths).max().orElse(0),
        prefixes.stream().mapToInt(prefix -> prefix.length).max().orElse(0));
    int total = kept.length + prefixes.size();
    if (total == 0) {
      throw new IllegalArgumentException("A decoding needs at least one row");
    }
    int[] newPadding = new int[total];
    for (int k = 0; k < kept.length; k++) {
      newPadding[k] = longest - keptLengths[k];
    }
    for (int j = 0; j < prefixes.size(); j++) {
      newPadding[kept.length + j] = longest - prefixes.get(j).length;
    }
    // Zeros where a row pads: padding keys are masked, and a zero key keeps the masked score finite.
    int perRow = c.heads * longest * c.headDim;
    FloatBuffer[] cache = new FloatBuffer[2 * c.layers];
    for (int t = 0; t < cache.length; t++) {
      cache[t] = ByteBuffer.allocateDirect(total * perRow * Float.BYTES).order(ByteOrder.nativeOrder())
          .asFloatBuffer();
    }
    float[][] logits = new float[0][];
    if (!prefixes.isEmpty()) {
      int offset = kept.length;
      logits = PrefillGroups.of(prefixes).prefill(prefixes, (group, batch) -> {
        try (OrtSession.Result result = forward(batch.ids(), batch.positions(), batch.rows(), batch.length(),
            batch.padding(), 0, Map.of())) {
          for (int i = 0; i < c.layers; i++) {
            place(output(result, OnnxSession.presentKey(i)), cache[2 * i], group, offset, longest);
            place(output(result, OnnxSession.presentValue(i)), cache[2 * i + 1], group, offset, longest);
          }
          return lastLogits(result, batch.rows(), batch.length());
        }
      });
    }
    if (kept.length > 0) {
      for (int i = 0; i < c.layers; i++) {
        copyKept(OnnxSession.pastKey(i), OnnxSession.recentKey(i), cache[2 * i], kept, newPadding, longest, c);
        copyKept(OnnxSession.pastValue(i), OnnxSession.recentValue(i), cache[2 * i + 1], kept, newPadding, longest, c);
      }
    }
    Map<String, OnnxTensor> assembled = new HashMap<>();
    try {
      long[] shape = {total, c.heads, longest, c.headDim};
      for (int i = 0; i < c.layers; i++) {
        assembled.put(OnnxSession.pastKey(i), OnnxTensor.createTensor(env, cache[2 * i].rewind(), shape));
        assembled.put(OnnxSession.pastValue(i), OnnxTensor.createTensor(env, cache[2 * i + 1].rewind(), shape));
      }
    } catch (OrtException e) {
      assembled.values().forEach(OnnxTensor::close);
      throw new IllegalStateException("ONNX Runtime failed to hold the cache of " + model.source() + ": "
          + e.getMessage(), e);
    }
    close();
    past = new CachePart(assembled, null);
    rows = total;
    padding = newPadding;
    length = longest;
    return logits;
  }

  /** The shape of the cache: layers, key/value heads and head size. */
  private final class CacheShape {
    final int layers = model.config().layers();
    final int heads = model.config().kvHeads();
    final int headDim = model.config().headDim();
  }

  /**
   * Copies the real slots of the kept rows, from both parts of the cache ({@code past ++
   * recent}), into rows {@code 0..kept.length-1} of {@code cache}, right-aligned.
   */
  private void copyKept(String pastName, String recentName, FloatBuffer cache, int[] kept, int[] newPadding,
      int longest, CacheShape c) {
    FloatBuffer pastValues = past.inputs().get(pastName).getFloatBuffer();
    FloatBuffer recentValues = recent == null ? null : recent.inputs().get(recentName).getFloatBuffer();
    int pastLength = (int) past.inputs().get(pastName).getInfo().getShape()[2];
    int recentLength = length - pastLength;
    for (int k = 0; k < kept.length; k++) {
      int b = kept[k];
      for (int h = 0; h < c.heads; h++) {
        int to = ((k * c.heads + h) * longest + newPadding[k]) * c.headDim;
        if (padding[b] < pastLength) {
          int slots = pastLength - padding[b];
          cache.put(to, pastValues, ((b * c.heads + h) * pastLength + padding[b]) * c.headDim, slots * c.headDim);
          to += slots * c.headDim;
        }
        int from = Math.max(padding[b] - pastLength, 0);
        if (recentValues != null && from < recentLength) {
          cache.put(to, recentValues, ((b * c.heads + h) * recentLength + from) * c.headDim,
              (recentLength - from) * c.headDim);
        }
      }
    }
  }

  /**
   * Copies a group's {@code present} tensor {@code (group rows, kv_heads, group length, head_dim)}
   * into rows {@code offset + group[k]} of the batch's cache {@code (rows, kv_heads, longest,
   * head_dim)}, right-aligned: the last slots of both are the prefix's last tokens.
   */
  private static void place(OnnxTensor present, FloatBuffer cache, int[] group, int offset, int longest) {
    long[] shape = present.getInfo().getShape();
    int heads = (int) shape[1];
    int groupLength = (int) shape[2];
    int headDim = (int) shape[3];
    FloatBuffer values = present.getFloatBuffer();
    for (int k = 0; k < group.length; k++) {
      for (int h = 0; h < heads; h++) {
        cache.put(((((offset + group[k]) * heads + h) * longest) + longest - groupLength) * headDim, values,
            (k * heads + h) * groupLength * headDim, groupLength * headDim);
      }
    }
  }

  /** @return {@code kept}, checked: strictly increasing indices of this decoding's rows */
  private int[] checkedRows(int[] kept) {
    for (int k = 0; k < kept.length; k++) {
      if (kept[k] < 0 || kept[k] >= rows || (k > 0 && kept[k] <= kept[k - 1])) {
        throw new IllegalArgumentException("Rows to keep must be strictly increasing indices below " + rows + ", got "
            + java.util.Arrays.toString(kept));
      }
    }
    return kept;
  }

  @Override
  public float[][] next(int[] tokens) {
    if (padding == null) {
      throw new IllegalStateException("call start first");
    }
    if (tokens.length != rows) {
      throw new IllegalArgumentException("Expected " + rows + " tokens, got " + tokens.length);
    }
    long[] ids = new long[rows];
    long[] positions = new long[rows];
    for (int b = 0; b < rows; b++) {
      ids[b] = tokens[b];
      positions[b] = Math.max(0, length - padding[b]);
    }
    Map<String, OnnxTensor> cache = new HashMap<>(past.inputs());
    if (recent != null) {
      cache.putAll(recent.inputs());
    }
    OrtSession.Result result = forward(ids, positions, rows, 1, padding, length, cache);
    if (recent != null) {
      recent.close();
    }
    recent = CachePart.of(result, OnnxSession::recentKey, OnnxSession::recentValue, model.config().layers());
    length += 1;
    return lastLogits(result, rows, 1);
  }

  /**
   * One session run: {@code count} new positions for each of {@code rows} rows after {@code
   * cached} cached ones ({@code cache}: the cache inputs; those it lacks are fed empty).
   */
  private OrtSession.Result forward(long[] ids, long[] positions, int rows, int count, int[] padding, int cached,
      Map<String, OnnxTensor> cache) {
    int total = cached + count;
    if (total > model.config().maxLength()) {
      throw new IllegalArgumentException("Sequence of " + total + " positions does not fit maxLength "
          + model.config().maxLength());
    }
    long[] mask = new long[rows * total];
    for (int b = 0; b < rows; b++) {
      for (int j = padding[b]; j < total; j++) {
        mask[b * total + j] = 1;
      }
    }
    List<OnnxTensor> created = new ArrayList<>();
    try {
      Map<String, OnnxTensor> inputs = new HashMap<>(cache);
      inputs.put("input_ids", track(created, OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {rows, count})));
      inputs.put("position_ids",
          track(created, OnnxTensor.createTensor(env, LongBuffer.wrap(positions), new long[] {rows, count})));
      inputs.put("attention_mask", track(created, OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {rows, total})));
      model.emptyCache(inputs, () -> {
        try {
          return track(created, OnnxTensor.createTensor(env, FloatBuffer.allocate(0),
              new long[] {rows, model.config().kvHeads(), 0, model.config().headDim()}));
        } catch (OrtException e) {
          throw new IllegalStateException("ONNX Runtime failed to make an empty cache: " + e.getMessage(), e);
        }
      });
      return model.session().run(inputs, model.decodeOutputs());
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed to run " + model.source() + ": " + e.getMessage(), e);
    } finally {
      created.forEach(OnnxTensor::close);
    }
  }

  /**
   * Keeps the rows, the cache rebuilt without the others ({@link #rebuild}). The copy passes
   * through Java once (a few MB at most); every later step then runs on the smaller batch.
   */
  @Override
  public boolean keep(int[] kept) {
    if (padding == null) {
      throw new IllegalStateException("call start first");
    }
    rebuild(checkedRows(kept), List.of());
    return true;
  }

  private static OnnxTensor output(OrtSession.Result result, String name) {
    OnnxValue value = result.get(name).orElseThrow(() -> new IllegalStateException("The run returned no " + name));
    return (OnnxTensor) value;
  }

  private float[][] lastLogits(OrtSession.Result result, int rows, int count) {
    int vocabulary = model.vocabularySize();
    FloatBuffer all = output(result, "logits").getFloatBuffer();
    float[][] out = new float[rows][vocabulary];
    for (int b = 0; b < rows; b++) {
      all.position((b * count + count - 1) * vocabulary);
      all.get(out[b]);
    }
    return out;
  }

  private static OnnxTensor track(List<OnnxTensor> created, OnnxTensor tensor) {
    created.add(tensor);
    return tensor;
  }

  @Override
  public void close() {
    if (recent != null) {
      recent.close();
      recent = null;
    }
    if (past != null) {
      past.close();
      past = null;
    }
  }

  /** The outputs a decoding needs. */
  static Set<String> outputs(int layers) {
    Set<String> names = new java.util.LinkedHashSet<>();
    names.add("logits");
    for (int i = 0; i < layers; i++) {
      names.add(OnnxSession.presentKey(i));
      names.add(OnnxSession.presentValue(i));
    }
    return names;
  }
}
