package org.aia4j.onnx.export;

import static ai.onnx.proto.OnnxMl.TensorProto.DataType.FLOAT;
import static ai.onnx.proto.OnnxMl.TensorProto.DataType.INT64;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.aia4j.api.model.Task;
import org.aia4j.inference.io.SafeTensors;
import org.aia4j.inference.model.Architecture;
import org.aia4j.inference.model.ModelConfig;

/**
 * Writes the reference unified transformer as an ONNX graph (opset {@value GraphBuilder#OPSET})
 * with a KV cache in two parts, a frozen prefix and a growing recent part:
 *
 * <pre>
 *   inputs   input_ids              int64  (batch, sequence)
 *            attention_mask         int64  (batch, past + recent + sequence)   1 = real, 0 = padding
 *            position_ids           int64  (batch, sequence)
 *            past_key_values.{i}.key / .value     float (batch, kv_heads, past, head_dim)
 *            recent_key_values.{i}.key / .value   float (batch, kv_heads, recent, head_dim)
 *   outputs  logits                 float  (batch, sequence, vocabulary)
 *            present.{i}.key / .value             float (batch, kv_heads, recent + sequence, head_dim)
 *   optional attentions.{i}         float  (batch, heads, sequence, past + recent + sequence)
 * </pre>
 *
 * {@code kv_heads} is {@link ModelConfig#kvHeads()}: the heads for the GPT family, the key/value
 * heads of grouped-query attention for the llama family.
 *
 * The keys a position attends to are {@code past ++ recent ++ new}, but only {@code recent ++ new}
 * is copied into the {@code present} output: a decoding passes its prompt's cache as the frozen
 * {@code past} of every step and each step's {@code present} as the next step's {@code recent}.
 * One cache in one tensor would copy the whole cache on every step (a Concat that took 30% of a
 * 64-row decode step); here a step copies only what was decoded so far. Attention is computed
 * over the two parts separately (scores concatenated, one softmax, then the probabilities split),
 * so the maths is unchanged. Batch and lengths are dynamic; a prompt's run passes empty {@code
 * past} and {@code recent} (length 0).
 * The maths is the DJL model's, operation for operation (pre-norm layers, fused qkv, additive
 * masks, exact erf GELU, untied head), so the two agree to float32 rounding.
 *
 * <p>The llama family ({@link Architecture#isLlama()}) has the same
 * inputs and outputs and computes Hugging Face's {@code LlamaForCausalLM}: RMSNorm with {@code
 * normEps}, no biases, no position table, rotary embeddings (rotate-half, {@code ropeTheta}) of
 * {@code position_ids} applied to the queries and keys, grouped-query attention, a SwiGLU MLP and
 * a tied or untied head. The cache holds the {@code kvHeads} key/value heads, keys after rotary
 * (as Hugging Face caches them), so a decoding never rotates a cached key again. A layer's q, k
 * and v projections are one Gemm on their rows stacked (the queries' pre-multiplied by {@code
 * 1/sqrt(head_dim)}, which rotary, being linear, commutes with), as are the MLP's gate and up.
 * Instead of copying each key/value head to its query heads, the queries are regrouped: {@code
 * (B, heads, T, d)} is read as {@code (B, kvHeads, heads/kvHeads * T, d)}, the rows of the query
 * heads that share a key/value head side by side, so each score and mixing product is one MatMul
 * per key/value head and the cache is never expanded. With {@link Architecture#qkNorm()}
 * (Chameleon), queries and keys are layer-normed per head before rotary ({@link #headNorm}), and
 * the queries' {@code 1/sqrt(head_dim)} moves into their norm's weight and bias.
 *
 * <p>A forked (UniFork) model is exported one graph per branch: the graph of a task runs the
 * shared layers, then that task's copy of the deep layers and final norm ({@code gen_layers.i.*},
 * {@code gen_final_norm.*} for generation), with the same inputs and outputs as an unforked graph.
 * The shared layers' weights are stored in both graphs.
 */
public final class TransformerExporter {
  /** The additive mask value, the DJL model's: exp underflows to exactly 0. */
  static final float MASKED = -1e9f;
  static final float LAYER_NORM_EPS = 1e-5f;

  private final ModelConfig config;
  private final Map<String, SafeTensors.Tensor> weights;
  private final boolean attentions;
  private final Task branch;
  private GraphBuilder g;
  /** The weights already stored in the graph: a tied head reads the token embedding twice. */
  private final Set<String> stored = new HashSet<>();
  /**
   * {@code (batch, sequence, 3 heads, head_dim)}, or for the llama family {@code (batch,
   * sequence, heads + 2 kvHeads, head_dim)}: how a layer's fused qkv rows unfold.
   */
  private String qkvShape;
  /** Llama: the rotary cosines and signed sines of the positions, {@link #rotary}. */
  private String[] rotary;

  /**
   * @param config the model's configuration
   * @param weights the parameters by their reference names ({@code model.safetensors})
   * @param attentions true to also output each layer's attention probabilities, for profiling
   */
  public TransformerExporter(ModelConfig config, Map<String, SafeTensors.Tensor> weights, boolean attentions) {
    this(config, weights, attentions, null);
  }

  /**
   * @param branch the task whose branch a forked model's graph runs; ignored (may be null) when
   *     the model is not forked
   * @throws IllegalArgumentException if the model is forked and {@code branch} is null
   */
  public TransformerExporter(
      ModelConfig config, Map<String, SafeTensors.Tensor> weights, boolean attentions, Task branch) {
    this.config = Objects.requireNonNull(config, "config");
    this.weights = Objects.requireNonNull(weights, "weights");
    this.attentions = attentions;
    if (config.forked() && branch == null) {
      throw new IllegalArgumentException("A forked model (fork " + config.fork() + " of " + config.layers()
          + " layers) is exported one branch at a time: name the task");
    }
    this.branch = config.forked() ? branch : null;
  }

  /** The parameter-name prefix of layer {@code i} in this graph's branch. */
  private String layerPrefix(int i) {
    return (branch == Task.GENERATION && i >= config.fork() ? "gen_layers." : "layers.") + i + ".";
  }

  /**
   * Builds the graph.
   *
   * @param metadata stored as the model's metadata properties (provenance)
   * @throws IllegalArgumentException if a weight is missing or has the wrong shape
   */
  public ModelProto export(Map<String, String> metadata) {
    g = new GraphBuilder("aia4j_unified_transformer");
    stored.clear();
    int layers = config.layers();
    String ids = g.input("input_ids", INT64, "batch", "sequence");
    String mask = g.input("attention_mask", INT64, "batch", "total_sequence");
    String positions = g.input("position_ids", INT64, "batch", "sequence");
    String[] pastKeys = new String[layers];
    String[] pastValues = new String[layers];
    String[] recentKeys = new String[layers];
    String[] recentValues = new String[layers];
    // The cache has the key/value heads: the heads for the GPT family, fewer under grouped-query
    // attention (the point of it: a smaller cache).
    int kvHeads = config.kvHeads();
    for (int i = 0; i < layers; i++) {
      pastKeys[i] = g.input("past_key_values." + i + ".key", FLOAT, "batch", kvHeads, "past_sequence",
          config.headDim());
      pastValues[i] = g.input("past_key_values." + i + ".value", FLOAT, "batch", kvHeads, "past_sequence",
          config.headDim());
      recentKeys[i] = g.input("recent_key_values." + i + ".key", FLOAT, "batch", kvHeads, "recent_sequence",
          config.headDim());
      recentValues[i] = g.input("recent_key_values." + i + ".value", FLOAT, "batch", kvHeads,
          "recent_sequence", config.headDim());
    }

    // The residual stream is kept 2-D, (batch * sequence, width), so every projection is one
    // Gemm with its bias (fewer, larger kernels: decoding is dominated by per-node overhead).
    String batchAndLength = g.op("Shape", Map.of("start", 0L, "end", 2L), ids);
    boolean llama = config.architecture().isLlama();
    String x;
    if (llama) {
      qkvShape = g.op("Concat", Map.of("axis", 0L), batchAndLength,
          g.ints(config.heads() + 2L * kvHeads, config.headDim()));
      x = g.op("Reshape", g.op("Gather", weight("embedding.token.weight", config.vocabSize(), config.width()), ids),
          g.ints(-1, config.width()));
      rotary = rotary(positions);
    } else {
      qkvShape = g.op("Concat", Map.of("axis", 0L), batchAndLength, g.ints(3L * config.heads(), config.headDim()));
      x = embeddings(ids, positions);
    }
    String bias = attentionBias(ids, mask);
    // (past, recent + sequence): where a row of attention probabilities is cut into its two parts.
    String pastLength = g.op("Shape", Map.of("start", 2L, "end", 3L), pastKeys[0]);
    String keyParts = g.op("Concat", Map.of("axis", 0L), pastLength,
        g.op("Sub", g.op("Shape", Map.of("start", 1L, "end", 2L), mask), pastLength));
    for (int i = 0; i < layers; i++) {
      String[] past = {pastKeys[i], pastValues[i]};
      String[] recent = {recentKeys[i], recentValues[i]};
      if (llama) {
        x = llamaAttentionBlock(i, x, bias, keyParts, past, recent);
        x = swiGluBlock(i, x);
      } else {
        x = attentionBlock(i, x, bias, keyParts, past, recent);
        x = mlpBlock(i, x);
      }
    }
    head(x, g.op("Concat", Map.of("axis", 0L), batchAndLength, g.ints(config.vocabSize())));

    g.output("logits", FLOAT, "batch", "sequence", config.vocabSize());
    for (int i = 0; i < layers; i++) {
      g.output("present." + i + ".key", FLOAT, "batch", kvHeads, "present_sequence", config.headDim());
      g.output("present." + i + ".value", FLOAT, "batch", kvHeads, "present_sequence", config.headDim());
    }
    if (attentions) {
      for (int i = 0; i < layers; i++) {
        g.output("attentions." + i, FLOAT, "batch", config.heads(), "sequence", "total_sequence");
      }
    }
    Map<String, String> meta = new LinkedHashMap<>(metadata);
    meta.put("aia4j.layers", Integer.toString(layers));
    meta.put("aia4j.vocab_size", Integer.toString(config.vocabSize()));
    meta.put("aia4j.attentions", Boolean.toString(attentions));
    meta.put("aia4j.branch", branch == null ? "shared" : branch.shortName());
    String version = TransformerExporter.class.getPackage().getImplementationVersion();
    return g.model(version == null ? "development" : version, meta);
  }

  /** {@code token[input_ids] + position[position_ids]}, flattened to {@code (batch * sequence, width)}. */
  private String embeddings(String ids, String positions) {
    String tokens = g.op("Gather", weight("embedding.token.weight", config.vocabSize(), config.width()), ids);
    String place = g.op("Gather", weight("embedding.position.weight", config.maxLength(), config.width()), positions);
    return g.op("Reshape", g.op("Add", tokens, place), g.ints(-1, config.width()));
  }

  /**
   * The additive mask shared by every layer, {@code (batch, 1, sequence, total_sequence)}: {@link
   * #MASKED} where the key is in the query's future or is padding, else 0.
   */
  private String attentionBias(String ids, String mask) {
    String newLength = g.op("Shape", Map.of("start", 1L, "end", 2L), ids);
    String total = g.op("Shape", Map.of("start", 1L, "end", 2L), mask);
    String axis0 = g.ints(0);
    String past = g.op("Squeeze", g.op("Sub", total, newLength), axis0);
    String totalScalar = g.op("Squeeze", total, axis0);
    String one = g.scalar(1L);
    String queryIndex = g.op("Range", past, totalScalar, one);
    String keyIndex = g.op("Range", g.scalar(0L), totalScalar, one);
    String future = g.op("Greater", g.op("Unsqueeze", keyIndex, g.ints(0)), g.op("Unsqueeze", queryIndex, g.ints(1)));
    String padding = g.op("Unsqueeze", g.op("Equal", mask, g.scalar(0L)), g.ints(1, 2));
    String masked = g.op("Or", future, padding);
    return g.op("Where", masked, g.scalar(MASKED), g.scalar(0f));
  }

  /**
   * {@code x + out(softmax(q k^T / sqrt(d) + bias) v)} over {@code LayerNorm(x)}, the keys and
   * values being {@code past ++ recent ++ new}; writes present.i ({@code recent ++ new}).
   *
   * @param keyParts the lengths {@code (past, recent + new)}, where probabilities are split
   * @param past this layer's frozen cache, key and value
   * @param recent this layer's recent cache, key and value
   */
  private String attentionBlock(int i, String x, String bias, String keyParts, String[] past, String[] recent) {
    String p = layerPrefix(i);
    int w = config.width();
    int heads = config.heads();
    String h = layerNorm(x, p + "attention_norm");
    String qkv = linear(h, p + "attention.qkv", 3 * w, w);
    // (B*T, 3W) -> (B, T, 3H, d) -> (B, 3H, T, d) -> q, k, v (B, H, T, d)
    String byHead = g.op("Transpose", Map.of("perm", new long[] {0, 2, 1, 3}), g.op("Reshape", qkv, qkvShape));
    String[] qkvHeads = g.split(byHead, 1, heads, heads, heads);
    String keys = g.opNamed("present." + i + ".key", "Concat", Map.of("axis", 2L), recent[0], qkvHeads[1]);
    String values = g.opNamed("present." + i + ".value", "Concat", Map.of("axis", 2L), recent[1], qkvHeads[2]);
    String scaled = g.op("Mul", qkvHeads[0], g.scalar((float) (1.0 / Math.sqrt(config.headDim()))));
    long[] swapLast = {0, 1, 3, 2};
    String scores = g.op("Add", g.op("Concat", Map.of("axis", 3L),
        g.op("MatMul", scaled, g.op("Transpose", Map.of("perm", swapLast), past[0])),
        g.op("MatMul", scaled, g.op("Transpose", Map.of("perm", swapLast), keys))), bias);
    String probs = attentions
        ? g.opNamed("attentions." + i, "Softmax", Map.of("axis", -1L), scores)
        : g.op("Softmax", Map.of("axis", -1L), scores);
    String[] parts = g.split(probs, 3, keyParts, 2);
    String mixed = g.op("Add", g.op("MatMul", parts[0], past[1]), g.op("MatMul", parts[1], values));
    String context = g.op("Reshape",
        g.op("Transpose", Map.of("perm", new long[] {0, 2, 1, 3}), mixed), g.ints(-1, w));
    return g.op("Add", x, linear(context, p + "attention.out", w, w));
  }

  /** {@code x + down(GELU(up(LayerNorm(x))))}, GELU the exact one: {@code x/2 (1 + erf(x / sqrt 2))}. */
  private String mlpBlock(int i, String x) {
    String p = layerPrefix(i);
    String h = layerNorm(x, p + "mlp_norm");
    String up = linear(h, p + "mlp.up", config.mlpWidth(), config.width());
    String erf = g.op("Erf", g.op("Div", up, g.scalar((float) Math.sqrt(2.0))));
    String gelu = g.op("Mul", g.op("Mul", up, g.op("Add", erf, g.scalar(1f))), g.scalar(0.5f));
    return g.op("Add", x, linear(gelu, p + "mlp.down", config.width(), config.mlpWidth()));
  }

  /**
   * {@code logits = norm(x) lm_head^T}, reshaped to (batch, sequence, vocabulary): the output
   * {@code logits}. The norm is LayerNorm, or RMSNorm for the llama family, whose head may be tied
   * to the token embedding (then stored once, read by both the Gather and this Gemm).
   */
  private void head(String x, String logitsShape) {
    String norm = branch == Task.GENERATION ? "gen_final_norm" : "final_norm";
    boolean llama = config.architecture().isLlama();
    String h = llama ? rmsNorm(x, norm) : layerNorm(x, norm);
    String headWeight = llama && config.architecture().tiedHead() ? "embedding.token.weight" : "lm_head.weight";
    String flat = g.op("Gemm", Map.of("transB", 1L), h, weight(headWeight, config.vocabSize(), config.width()));
    g.opNamed("logits", "Reshape", Map.of(), flat, logitsShape);
  }

  /**
   * The rotary embedding of {@code position_ids}, shared by every layer, in Hugging Face's
   * rotate-half convention: angles {@code p f_i} with {@code f_i = theta^(-2i/d)} for {@code i <
   * d/2}, computed in float32 as Hugging Face and the DJL model compute them (from the input, so
   * any maxLength costs nothing).
   *
   * @return {@code (batch, 1, sequence, d)} {@code [cos, cos]} and {@code [-sin, sin]} over the two
   *     halves of a head: with the sign in the sines, rotate-half is a swap of the halves ({@link
   *     #rotate})
   */
  private String[] rotary(String positions) {
    int d = config.headDim();
    float[] inverse = new float[d / 2];
    for (int i = 0; i < inverse.length; i++) {
      inverse[i] = (float) (1.0 / Math.pow(config.architecture().ropeTheta(), (2.0 * i) / d));
    }
    String p = g.op("Unsqueeze", g.op("Cast", Map.of("to", (long) FLOAT.getNumber()), positions), g.ints(2));
    String angles = g.op("Mul", p, g.weight("rotary.inverse_frequency", new long[] {inverse.length}, inverse));
    String cos = g.op("Cos", angles);
    String sin = g.op("Sin", angles);
    Map<String, Object> last = Map.of("axis", -1L);
    String heads = g.ints(1);
    return new String[] {
      g.op("Unsqueeze", g.op("Concat", last, cos, cos), heads),
      g.op("Unsqueeze", g.op("Concat", last, g.op("Neg", sin), sin), heads)
    };
  }

  /**
   * {@code x cos + rotate_half(x) sin} for {@code (batch, heads, sequence, d)} queries or keys:
   * {@code rotate_half([a, b]) = [-b, a]}, here {@code [b, a]} times the signed sines.
   */
  private String rotate(String x) {
    String[] halves = g.split(x, 3, config.headDim() / 2, config.headDim() / 2);
    String swapped = g.op("Concat", Map.of("axis", 3L), halves[1], halves[0]);
    return g.op("Add", g.op("Mul", x, rotary[0]), g.op("Mul", swapped, rotary[1]));
  }

  /**
   * The llama attention: {@code x + out(softmax(q k^T / sqrt(d) + bias) v)} over {@code
   * RMSNorm(x)}, q and k rotated, query head {@code h} reading key/value head {@code h / (heads /
   * kvHeads)}; writes present.i ({@code recent ++ new}, {@code kvHeads} heads, keys rotated).
   *
   * @see #attentionBlock
   */
  private String llamaAttentionBlock(int i, String x, String bias, String keyParts, String[] past,
      String[] recent) {
    String p = layerPrefix(i);
    int w = config.width();
    int heads = config.heads();
    int kvHeads = config.kvHeads();
    int d = config.headDim();
    int kv = kvHeads * d;
    String h = rmsNorm(x, p + "attention_norm");
    float scale = (float) (1.0 / Math.sqrt(d));
    boolean qkNorm = config.architecture().qkNorm();
    // Without the per-head norm the queries' 1/sqrt(d) goes into their projection; a norm would
    // undo it there, so with one it goes into the queries' norm weight and bias instead.
    float projectionScale = qkNorm ? 1f : scale;
    String qkvWeight = stackedWeight(p + "attention.qkv.weight", new String[] {p + "attention.q.weight",
        p + "attention.k.weight", p + "attention.v.weight"}, new long[] {w, kv, kv}, w, new float[] {projectionScale,
        1f, 1f}, new long[] {w + 2L * kv, w});
    String qkv = g.op("Gemm", Map.of("transB", 1L), h, qkvWeight);
    // (B*T, W + 2K) -> (B, T, H + 2Hkv, d) -> (B, H + 2Hkv, T, d) -> q and k (rotated together), v
    String byHead = g.op("Transpose", Map.of("perm", new long[] {0, 2, 1, 3}), g.op("Reshape", qkv, qkvShape));
    String[] qkAndV = g.split(byHead, 1, heads + kvHeads, kvHeads);
    String qk = qkNorm ? headNorm(p, qkAndV[0], scale) : qkAndV[0];
    String[] qAndK = g.split(rotate(qk), 1, heads, kvHeads);
    String keys = g.opNamed("present." + i + ".key", "Concat", Map.of("axis", 2L), recent[0], qAndK[1]);
    String values = g.opNamed("present." + i + ".value", "Concat", Map.of("axis", 2L), recent[1], qkAndV[1]);
    boolean grouped = kvHeads != heads;
    // (B, H, T, d) -> (B, Hkv, H/Hkv * T, d): the query heads of one key/value head, one after
    // the other (a view: the heads of a group are adjacent).
    String queries = grouped ? g.op("Reshape", qAndK[0], g.ints(0, kvHeads, -1, d)) : qAndK[0];
    long[] swapLast = {0, 1, 3, 2};
    String scores = g.op("Concat", Map.of("axis", 3L),
        g.op("MatMul", queries, g.op("Transpose", Map.of("perm", swapLast), past[0])),
        g.op("MatMul", queries, g.op("Transpose", Map.of("perm", swapLast), keys)));
    if (grouped) {
      scores = g.op("Reshape", scores, g.ints(0, heads, -1, 0)); // (B, H, T, keys), as the bias has it
    }
    scores = g.op("Add", scores, bias);
    String probs = attentions
        ? g.opNamed("attentions." + i, "Softmax", Map.of("axis", -1L), scores)
        : g.op("Softmax", Map.of("axis", -1L), scores);
    if (grouped) {
      probs = g.op("Reshape", probs, g.ints(0, kvHeads, -1, 0));
    }
    String[] parts = g.split(probs, 3, keyParts, 2);
    String mixed = g.op("Add", g.op("MatMul", parts[0], past[1]), g.op("MatMul", parts[1], values));
    if (grouped) {
      mixed = g.op("Reshape", mixed, g.ints(0, heads, -1, d));
    }
    String context = g.op("Reshape",
        g.op("Transpose", Map.of("perm", new long[] {0, 2, 1, 3}), mixed), g.ints(-1, w));
    return g.op("Add", x, g.op("Gemm", Map.of("transB", 1L), context, weight(p + "attention.out.weight", w, w)));
  }

  /** {@code x + down(silu(gate(n)) * up(n))} with {@code n = RMSNorm(x)}, {@code silu(g) = g sigmoid(g)}. */
  private String swiGluBlock(int i, String x) {
    String p = layerPrefix(i);
    int w = config.width();
    int m = config.mlpWidth();
    String h = rmsNorm(x, p + "mlp_norm");
    String gateUpWeight = stackedWeight(p + "mlp.gate_up.weight", new String[] {p + "mlp.gate.weight",
        p + "mlp.up.weight"}, new long[] {m, m}, w, new float[] {1f, 1f}, new long[] {2L * m, w});
    String[] gateUp = g.split(g.op("Gemm", Map.of("transB", 1L), h, gateUpWeight), 1, m, m);
    String activated = g.op("Mul", g.op("Mul", gateUp[0], g.op("Sigmoid", gateUp[0])), gateUp[1]);
    return g.op("Add", x, g.op("Gemm", Map.of("transB", 1L), activated, weight(p + "mlp.down.weight", w, m)));
  }

  /**
   * RMSNorm as LLaMA applies it, {@code w * x / sqrt(mean(x^2) + eps)} over the last axis, spelt
   * as the subgraph ONNX Runtime fuses into one SimplifiedLayerNormalization kernel (opset 17 has
   * no RMSNormalization).
   */
  private String rmsNorm(String x, String prefix) {
    String meanSquare = g.op("ReduceMean", Map.of("axes", new long[] {-1}, "keepdims", 1L),
        g.op("Pow", x, g.scalar(2f)));
    String rms = g.op("Sqrt", g.op("Add", meanSquare, g.scalar((float) config.architecture().normEps())));
    return g.op("Mul", g.op("Div", x, rms), weight(prefix + ".weight", config.width()));
  }

  /**
   * One initializer {@code name} of {@code shape} holding the {@code (rows[k], in)} weights {@code
   * parts[k]} stacked along the rows, each multiplied by {@code factors[k]} (1 leaves it exact):
   * one Gemm (or one Mul) instead of several, as the GPT family's fused qkv (decoding is dominated
   * by per-node overhead).
   */
  private String stackedWeight(String name, String[] parts, long[] rows, long in, float[] factors, long[] shape) {
    float[][] values = new float[parts.length][];
    long total = 0;
    for (int k = 0; k < parts.length; k++) {
      values[k] = values(parts[k], rows[k], in);
      total += rows[k];
    }
    float[] out = new float[Math.toIntExact(total * in)];
    int offset = 0;
    for (int k = 0; k < parts.length; k++) {
      for (int j = 0; j < values[k].length; j++) {
        out[offset + j] = factors[k] == 1f ? values[k][j] : values[k][j] * factors[k];
      }
      offset += values[k].length;
    }
    return g.weight(name, shape, out);
  }

  /**
   * Chameleon's per-head query/key LayerNorm on {@code (B, H + Hkv, T, d)} queries and keys
   * stacked: LayerNormalization over {@code d} without affine, then one Mul and one Add by the
   * heads' weights and biases stacked as {@code (H + Hkv, 1, d)}, the queries' pre-multiplied by
   * {@code queryScale} (the attention's {@code 1/sqrt(d)}: {@code (n w + b) s = n (w s) + b s}).
   */
  private String headNorm(String p, String queriesAndKeys, float queryScale) {
    int d = config.headDim();
    int heads = config.heads();
    int kvHeads = config.kvHeads();
    float[] ones = new float[d];
    Arrays.fill(ones, 1f);
    String normed = g.op("LayerNormalization", Map.of("axis", -1L, "epsilon", (float) Architecture.QK_NORM_EPS),
        queriesAndKeys, g.weight(p + "attention.qk_norm.unit_scale", new long[] {d}, ones));
    long[] rows = {heads, kvHeads};
    float[] factors = {queryScale, 1f};
    long[] shape = {heads + kvHeads, 1, d};
    String weight = stackedWeight(p + "attention.qk_norm.weight", new String[] {p + "attention.q_norm.weight",
        p + "attention.k_norm.weight"}, rows, d, factors, shape);
    String bias = stackedWeight(p + "attention.qk_norm.bias", new String[] {p + "attention.q_norm.bias",
        p + "attention.k_norm.bias"}, rows, d, factors, shape);
    return g.op("Add", g.op("Mul", normed, weight), bias);
  }

  private String layerNorm(String x, String prefix) {
    int w = config.width();
    return g.op("LayerNormalization", Map.of("axis", -1L, "epsilon", LAYER_NORM_EPS),
        x, weight(prefix + ".weight", w), weight(prefix + ".bias", w));
  }

  /** {@code x W^T + b}: one Gemm on the {@code (out, in)} weight as stored. */
  private String linear(String x, String prefix, int out, int in) {
    return g.op("Gemm", Map.of("transB", 1L), x, weight(prefix + ".weight", out, in), weight(prefix + ".bias", out));
  }

  private String weight(String name, long... shape) {
    if (!stored.add(name)) {
      return name; // already an initializer (checked then), e.g. the embedding a tied head reuses
    }
    return g.weight(name, shape, values(name, shape));
  }

  private float[] values(String name, long... shape) {
    SafeTensors.Tensor tensor = weights.get(name);
    if (tensor == null) {
      throw new IllegalArgumentException("The weights have no tensor '" + name + "'; is this a checkpoint of the "
          + "reference transformer with " + config.layers() + " layers?");
    }
    if (!Arrays.equals(tensor.shape(), shape)) {
      throw new IllegalArgumentException("Weight '" + name + "' has shape " + Arrays.toString(tensor.shape())
          + ", the config wants " + Arrays.toString(shape));
    }
    return tensor.toFloats();
  }
}
