package org.aia4j.inference.model;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.aia4j.inference.io.SafeTensors;

/**
 * The parameters a {@link ModelConfig} implies, by their reference names and shapes (the names of
 * {@code model.safetensors}), and the check that a file's tensors are exactly those: no tensor
 * missing, none extra, every one F32 of the right shape and finite. Both backends run it on load,
 * before they allocate a model, so a {@code config.json} that does not match its weights (or
 * weights holding NaN or infinity) is refused with the tensor's name, the same way on each.
 *
 * <pre>
 *   embedding.token.weight (V, W)   embedding.position.weight (L, W)
 *   layers.i.attention_norm.{weight,bias} (W)   layers.i.attention.qkv.weight (3W, W), .bias (3W)
 *   layers.i.attention.out.weight (W, W), .bias (W)   layers.i.mlp_norm.{weight,bias} (W)
 *   layers.i.mlp.up.weight (M, W), .bias (M)   layers.i.mlp.down.weight (W, M), .bias (W)
 *   final_norm.{weight,bias} (W)   lm_head.weight (V, W)
 *   forked models: gen_layers.i.* for i in [fork, layers), gen_final_norm.{weight,bias}
 * </pre>
 *
 * The LLaMA family ({@link Architecture#isLlama()}; no biases, no position table, {@code K} the
 * key/value width {@code kvHeads x headDim}):
 *
 * <pre>
 *   embedding.token.weight (V, W)
 *   layers.i.attention_norm.weight (W)   layers.i.attention.q.weight (W, W)
 *   layers.i.attention.k.weight (K, W)   layers.i.attention.v.weight (K, W)
 *   layers.i.attention.out.weight (W, W)   layers.i.mlp_norm.weight (W)
 *   layers.i.mlp.gate.weight (M, W)   layers.i.mlp.up.weight (M, W)   layers.i.mlp.down.weight (W, M)
 *   with the per-head query/key norm ({@link Architecture#qkNorm()}; H heads, G key/value heads, D = W / H):
 *   layers.i.attention.q_norm.{weight,bias} (H, D)   layers.i.attention.k_norm.{weight,bias} (G, D)
 *   final_norm.weight (W)   lm_head.weight (V, W), absent when the head is tied to the embedding
 *   forked models: gen_layers.i.* for i in [fork, layers), gen_final_norm.weight
 * </pre>
 */
public final class ModelTensors {
  private ModelTensors() {}

  /** The number of tensors of a model with {@code config}; computed without listing them. */
  public static long count(ModelConfig config) {
    if (config.architecture().isLlama()) {
      long perLayer = config.architecture().qkNorm() ? 13 : 9;
      return 1 + perLayer * config.layers() + 1 + (config.architecture().tiedHead() ? 0 : 1)
          + perLayer * (config.layers() - config.fork()) + (config.forked() ? 1 : 0);
    }
    long perLayer = 12;
    return 2 + perLayer * config.layers() + 3 + perLayer * (config.layers() - config.fork())
        + (config.forked() ? 2 : 0);
  }

  /** Every parameter's name and shape, in the reference order. */
  public static Map<String, long[]> shapes(ModelConfig config) {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    long w = config.width();
    long m = config.mlpWidth();
    if (config.architecture().isLlama()) {
      return llamaShapes(config);
    }
    shapes.put("embedding.token.weight", new long[] {config.vocabSize(), w});
    shapes.put("embedding.position.weight", new long[] {config.maxLength(), w});
    for (int i = 0; i < config.layers(); i++) {
      layer(shapes, "layers." + i + ".", w, m);
    }
    shapes.put("final_norm.weight", new long[] {w});
    shapes.put("final_norm.bias", new long[] {w});
    shapes.put("lm_head.weight", new long[] {config.vocabSize(), w});
    for (int i = config.fork(); i < config.layers(); i++) {
      layer(shapes, "gen_layers." + i + ".", w, m);
    }
    if (config.forked()) {
      shapes.put("gen_final_norm.weight", new long[] {w});
      shapes.put("gen_final_norm.bias", new long[] {w});
    }
    return Collections.unmodifiableMap(shapes);
  }

  private static Map<String, long[]> llamaShapes(ModelConfig config) {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    long w = config.width();
    shapes.put("embedding.token.weight", new long[] {config.vocabSize(), w});
    for (int i = 0; i < config.layers(); i++) {
      llamaLayer(shapes, "layers." + i + ".", config);
    }
    shapes.put("final_norm.weight", new long[] {w});
    if (!config.architecture().tiedHead()) {
      shapes.put("lm_head.weight", new long[] {config.vocabSize(), w});
    }
    for (int i = config.fork(); i < config.layers(); i++) {
      llamaLayer(shapes, "gen_layers." + i + ".", config);
    }
    if (config.forked()) {
      shapes.put("gen_final_norm.weight", new long[] {w});
    }
    return Collections.unmodifiableMap(shapes);
  }

  private static void llamaLayer(Map<String, long[]> shapes, String p, ModelConfig config) {
    long w = config.width();
    long m = config.mlpWidth();
    long kv = (long) config.kvHeads() * config.headDim();
    shapes.put(p + "attention_norm.weight", new long[] {w});
    shapes.put(p + "attention.q.weight", new long[] {w, w});
    shapes.put(p + "attention.k.weight", new long[] {kv, w});
    shapes.put(p + "attention.v.weight", new long[] {kv, w});
    if (config.architecture().qkNorm()) {
      for (String part : new String[] {"weight", "bias"}) {
        shapes.put(p + "attention.q_norm." + part, new long[] {config.heads(), config.headDim()});
      }
      for (String part : new String[] {"weight", "bias"}) {
        shapes.put(p + "attention.k_norm." + part, new long[] {config.kvHeads(), config.headDim()});
      }
    }
    shapes.put(p + "attention.out.weight", new long[] {w, w});
    shapes.put(p + "mlp_norm.weight", new long[] {w});
    shapes.put(p + "mlp.gate.weight", new long[] {m, w});
    shapes.put(p + "mlp.up.weight", new long[] {m, w});
    shapes.put(p + "mlp.down.weight", new long[] {w, m});
  }

  private static void layer(Map<String, long[]> shapes, String p, long w, long m) {
    shapes.put(p + "attention_norm.weight", new long[] {w});
    shapes.put(p + "attention_norm.bias", new long[] {w});
    shapes.put(p + "attention.qkv.weight", new long[] {3 * w, w});
    shapes.put(p + "attention.qkv.bias", new long[] {3 * w});
    shapes.put(p + "attention.out.weight", new long[] {w, w});
    shapes.put(p + "attention.out.bias", new long[] {w});
    shapes.put(p + "mlp_norm.weight", new long[] {w});
    shapes.put(p + "mlp_norm.bias", new long[] {w});
    shapes.put(p + "mlp.up.weight", new long[] {m, w});
    shapes.put(p + "mlp.up.bias", new long[] {m});
    shapes.put(p + "mlp.down.weight", new long[] {w, m});
    shapes.put(p + "mlp.down.bias", new long[] {w});
  }

  /**
   * Checks that {@code weights} are exactly the parameters of {@code config}: the tensor count
   * first (so a config claiming a million layers is refused before a million names are listed),
   * then every name, dtype and shape, then every value finite.
   *
   * @param file the weights' file, named in every error
   * @param configFile the file the configuration came from, named when the two disagree
   * @throws IOException naming the file, the tensor and what differs
   */
  public static void check(Path file, Path configFile, ModelConfig config, SafeTensors.Contents weights)
      throws IOException {
    Map<String, SafeTensors.Tensor> tensors = weights.tensors();
    long expected = count(config);
    if (tensors.size() != expected) {
      throw new IOException(file + " holds " + tensors.size() + " tensors but the model section of " + configFile
          + " (layers " + config.layers() + ", fork " + config.fork() + ") needs " + expected
          + "; the config and the weights come from different models");
    }
    Map<String, long[]> shapes = shapes(config);
    TreeSet<String> extra = new TreeSet<>(tensors.keySet());
    extra.removeAll(shapes.keySet());
    if (!extra.isEmpty()) {
      throw new IOException(file + ": tensor '" + extra.first() + "' is not a parameter of the model that "
          + configFile + " describes (" + config + ")");
    }
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      SafeTensors.Tensor t = tensors.get(e.getKey());
      if (t == null) {
        throw new IOException(file + ": parameter '" + e.getKey() + "' is missing");
      }
      if (t.dtype() != SafeTensors.DType.F32) {
        throw new IOException(file + ": tensor '" + e.getKey() + "' has dtype " + t.dtype() + ", expected F32");
      }
      if (!Arrays.equals(t.shape(), e.getValue())) {
        throw new IOException(file + ": tensor '" + e.getKey() + "' has shape " + Arrays.toString(t.shape())
            + ", but the model section of " + configFile + " needs " + Arrays.toString(e.getValue()));
      }
    }
    for (Map.Entry<String, SafeTensors.Tensor> e : tensors.entrySet()) {
      requireFinite(file, e.getKey(), e.getValue());
    }
  }

  /** Refuses an F32 tensor holding NaN or an infinity, naming the first such element. */
  static void requireFinite(Path file, String name, SafeTensors.Tensor tensor) throws IOException {
    FloatBuffer values = tensor.data().duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    for (int i = 0; i < values.limit(); i++) {
      float v = values.get(i);
      if (!Float.isFinite(v)) {
        throw new IOException(file + ": tensor '" + name + "' holds " + v + " at element " + i
            + "; a model with non-finite weights answers nothing sensible. Use an earlier checkpoint"
            + " (training diverged?)");
      }
    }
  }
}
