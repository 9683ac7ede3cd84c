package org.aia4j.djl.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.aia4j.api.model.Task;
import org.aia4j.inference.model.ModelConfig;

/**
 * The reference unified model (DESIGN section 4): one decoder-only transformer over the unified
 * vocabulary of text tokens, image codes and specials.
 *
 * <pre>
 *   x = embedding.token[tokens] + embedding.position[0..T)
 *   for each layer:  x = x + attention(LayerNorm(x));  x = x + mlp(LayerNorm(x))
 *   logits = lm_head( final_norm(x) )          (untied: lm_head has its own weight, no bias)
 * </pre>
 *
 * <p>Parameters (all float32, PyTorch layouts, {@code Linear} weights {@code (out, in)}):
 *
 * <pre>
 *   embedding.token.weight            (V, W)
 *   embedding.position.weight         (maxLength, W)
 *   layers.i.attention_norm.weight    (W)         layers.i.attention_norm.bias   (W)
 *   layers.i.attention.qkv.weight     (3W, W)     layers.i.attention.qkv.bias    (3W)
 *   layers.i.attention.out.weight     (W, W)      layers.i.attention.out.bias    (W)
 *   layers.i.mlp_norm.weight          (W)         layers.i.mlp_norm.bias         (W)
 *   layers.i.mlp.up.weight            (M, W)      layers.i.mlp.up.bias           (M)
 *   layers.i.mlp.down.weight          (W, M)      layers.i.mlp.down.bias         (W)
 *   final_norm.weight                 (W)         final_norm.bias                (W)
 *   lm_head.weight                    (V, W)
 * </pre>
 *
 * <p><b>Forked (UniFork) models</b> ({@link ModelConfig#fork()} {@code < layers}): layers {@code
 * [0, fork)} are shared and the model is Y-shaped above them. The understanding branch is the
 * parameters above ({@code layers.i.*} for {@code i >= fork}, {@code final_norm.*}), so a fully
 * shared checkpoint's names and order are unchanged; the generation branch adds its own copy:
 *
 * <pre>
 *   gen_layers.i.*   for i in [fork, layers)   (same shapes as layers.i.*)
 *   gen_final_norm.weight, gen_final_norm.bias
 * </pre>
 *
 * registered after {@code lm_head.weight}, which both branches share. At initialisation the
 * generation branch is a copy of the understanding branch (UniFork: the deep layers are copied into
 * a generation branch), because each {@code gen_X} draws from the seed under the name {@code X}.
 * The forward passes take the {@link Task} that picks the branch.
 *
 * {@code qkv} rows {@code [0, W)} are the queries, {@code [W, 2W)} the keys, {@code [2W, 3W)} the
 * values; within each, head {@code h} owns rows {@code [h d, (h+1) d)}. LayerNorm eps is 1e-5,
 * GELU is the exact (erf) one. These names are the parameter names of {@link #getParameters()}
 * and of the safetensors files ({@code org.aia4j.djl.io.ModelWeights}).
 *
 * <p><b>The LLaMA family</b> ({@link ModelConfig#architecture()}): no position table (rotary
 * positions, {@link Rotary}), RMSNorm without biases, {@link LlamaDecoderLayer}s with separate
 * {@code q}, {@code k}, {@code v} projections (grouped-query attention) and a SwiGLU MLP, and no
 * {@code lm_head.weight} when the head is tied to the token embedding; the names are those of
 * {@code org.aia4j.inference.model.ModelTensors}.
 *
 * <p>Initialisation (GPT-2): weights Normal(0, 0.02), the two residual projections per layer
 * (attention.out, mlp.down) Normal(0, 0.02 / sqrt(2 L)), biases 0, norms 1/0; drawn in Java from
 * {@link ModelConfig#seed()} and the parameter's name, so one seed gives one model everywhere.
 */
public final class UnifiedTransformer extends AbstractBlock {

  static final double INIT_STD = 0.02;

  /** The additive mask value above the diagonal: exp underflows to exactly 0. */
  static final float MASKED = -1e9f;

  private static final byte VERSION = 1;

  private final ModelConfig config;
  private final Parameter tokenEmbedding;
  private final Parameter positionEmbedding;
  private final List<TransformerLayer> layers;
  private final Parameter finalNormWeight;
  private final Parameter finalNormBias;
  private final Parameter lmHead;
  /** The generation branch of a forked model: layers [fork, layers); empty when unforked. */
  private final List<TransformerLayer> genLayers;
  private final Parameter genFinalNormWeight;
  private final Parameter genFinalNormBias;
  private final Shape normShape;

  /** (maxLength, maxLength) additive causal mask, built once per device from arange. */
  private NDArray causalBias;

  /**
   * Builds the model's structure; call {@link #initialize(NDManager)} (or load parameters) next.
   *
   * @param config the configuration
   */
  public UnifiedTransformer(ModelConfig config) {
    super(VERSION);
    this.config = Objects.requireNonNull(config, "config");
    int w = config.width();
    this.normShape = new Shape(w);
    DecoderLayer.ParameterFactory factory = new Factory();
    tokenEmbedding =
        factory.weight("embedding.token.weight", new Shape(config.vocabSize(), w), INIT_STD);
    boolean llama = config.architecture().isLlama();
    positionEmbedding =
        llama ? null : factory.weight("embedding.position.weight", new Shape(config.maxLength(), w), INIT_STD);
    List<TransformerLayer> list = new ArrayList<>();
    for (int i = 0; i < config.layers(); i++) {
      list.add(layer(LAYERS, i, factory));
    }
    layers = Collections.unmodifiableList(list);
    finalNormWeight = factory.gamma("final_norm.weight", w);
    finalNormBias = llama ? null : factory.beta("final_norm.bias", w);
    lmHead = llama && config.architecture().tiedHead()
        ? tokenEmbedding
        : factory.weight("lm_head.weight", new Shape(config.vocabSize(), w), INIT_STD);
    List<TransformerLayer> branch = new ArrayList<>();
    for (int i = config.fork(); i < config.layers(); i++) {
      branch.add(layer(GEN_PREFIX + LAYERS, i, factory));
    }
    genLayers = Collections.unmodifiableList(branch);
    genFinalNormWeight = config.forked() ? factory.gamma(GEN_PREFIX + "final_norm.weight", w) : null;
    genFinalNormBias = config.forked() && !llama ? factory.beta(GEN_PREFIX + "final_norm.bias", w) : null;
  }

  private TransformerLayer layer(String prefix, int index, DecoderLayer.ParameterFactory factory) {
    return config.architecture().isLlama()
        ? new LlamaDecoderLayer(prefix, index, config, factory)
        : new DecoderLayer(prefix, index, config, factory);
  }

  /** The prefix of the shared and understanding layers' parameter names. */
  static final String LAYERS = "layers.";

  /**
   * The prefix of the generation branch's parameter names: {@code gen_X} is the generation
   * branch's copy of {@code X}.
   */
  public static final String GEN_PREFIX = "gen_";

  /**
   * @param name a parameter name
   * @return the name of the parameter it starts as a copy of: {@code X} for {@code gen_X}, else
   *     the name itself
   */
  public static String initialName(String name) {
    return name.startsWith(GEN_PREFIX) ? name.substring(GEN_PREFIX.length()) : name;
  }

  /** @return the configuration the model was built from */
  public ModelConfig config() {
    return config;
  }

  /**
   * Draws the initial float32 parameters from the config's seed.
   *
   * @param manager owns the parameters; its device is the model's device
   */
  public void initialize(NDManager manager) {
    initialize(manager, DataType.FLOAT32, new Shape(1, config.maxLength()));
  }

  /**
   * @return every parameter by its stable name, in a fixed order (embeddings, layers in order,
   *     final norm, head)
   */
  public Map<String, Parameter> namedParameters() {
    Map<String, Parameter> map = new LinkedHashMap<>();
    getDirectParameters().forEach(pair -> map.put(pair.getKey(), pair.getValue()));
    return Collections.unmodifiableMap(map);
  }

  /**
   * The training and full-sequence forward pass. With a task ({@link ForwardOptions#forTask}),
   * it runs through the shared layers, then the task's branch when the model is forked (captures
   * cover every layer on that path, {@code layers} of them).
   *
   * @param ps the parameter store (the trainer's; {@code new ParameterStore(manager, false)} for
   *     plain use)
   * @param tokens {@code (B, T)} int64 (or int32) ids, {@code T <= maxLength}
   * @param options training or not, what to capture, and the task
   * @return logits {@code (B, T, V)} and the captures, in the manager of {@code tokens}
   * @throws IllegalArgumentException for a forked model without a task in {@code options}
   */
  public ForwardOutput forward(ParameterStore ps, NDArray tokens, ForwardOptions options) {
    return run(ps, tokens, options, Optional.empty(), layerOutput -> {});
  }

  /**
   * The residual stream after every layer of {@code task}'s path (the shared layers, then the
   * task's branch in a forked model), for representational analyses such as the modality alignment.
   * Inference only.
   *
   * @param tokens {@code (B, T)} ids of sequences of {@code task}
   * @return per layer, {@code (B, T, W)}, in the manager of {@code tokens}
   */
  public List<NDArray> hiddenStates(ParameterStore ps, NDArray tokens, Task task) {
    List<NDArray> hidden = new ArrayList<>();
    run(ps, tokens, ForwardOptions.logitsOnly().forTask(task), Optional.empty(), hidden::add);
    return List.copyOf(hidden);
  }

  /**
   * The incremental decoding step: feeds the next {@code T} tokens of every sequence after the
   * {@link KvCache#length()} already cached, appends their keys and values to the cache and
   * returns their logits. The first call feeds the prompt. Inference only (no gradient).
   *
   * <p>Prompts of different lengths go in one batch left-padded, with a cache that knows each
   * sample's padding ({@link KvCache#KvCache(NDManager, int, int[])}): padding slots are masked as
   * keys and positions count from each sample's first real token.
   *
   * @param ps the parameter store
   * @param tokens {@code (B, T)} the new ids; {@code cache.length() + T <= maxLength}
   * @param cache the cache, updated in place
   * <p>A cache holds the keys and values of one branch of a forked model, so keep one cache per
   * task.
   *
   * @param options what to keep of each layer's attention (rows for the new positions only) and
   *     the task; must not be a training pass
   * @return logits {@code (B, T, V)} for the new positions
   * @throws IllegalArgumentException for a forked model without a task in {@code options}, or
   *     for training options
   */
  public ForwardOutput forward(ParameterStore ps, NDArray tokens, KvCache cache, ForwardOptions options) {
    Objects.requireNonNull(cache, "cache");
    if (options.training()) {
      throw new IllegalArgumentException("The incremental decoding step is inference only: got training options");
    }
    if (cache.layers() != layers.size()) {
      throw new IllegalArgumentException(
          "The cache has " + cache.layers() + " layers, the model " + layers.size());
    }
    long batch = tokens.getShape().get(0);
    if (cache.batchSize() >= 0 && cache.batchSize() != batch) {
      throw new IllegalArgumentException(
          "The cache was padded for " + cache.batchSize() + " sequences, got a batch of " + batch);
    }
    ForwardOutput out = run(ps, tokens, options, Optional.of(cache), layerOutput -> {});
    cache.advance((int) tokens.getShape().get(1));
    return out;
  }

  /**
   * The forward pass behind every public one.
   *
   * @param cached the decoding step's cache; empty for a full-sequence pass
   * @param eachLayer receives the residual stream after every layer
   */
  private ForwardOutput run(
      ParameterStore ps,
      NDArray tokens,
      ForwardOptions options,
      Optional<KvCache> cached,
      Consumer<NDArray> eachLayer) {
    boolean generationBranch = generationBranch(options.task());
    boolean training = options.training();
    Capture capture = options.capture();
    KvCache cache = cached.orElse(null); // DecoderLayer takes null for "no cache"
    Shape shape = tokens.getShape();
    if (shape.dimension() != 2) {
      throw new IllegalArgumentException("tokens must be (B, T), got " + shape);
    }
    int t = (int) shape.get(1);
    int start = cache == null ? 0 : cache.length();
    if (t < 1 || start + t > config.maxLength()) {
      throw new IllegalArgumentException(
          "Sequence of "
              + (start + t)
              + " positions"
              + (start > 0 ? " (" + start + " cached + " + t + " new)" : "")
              + " does not fit maxLength "
              + config.maxLength());
    }
    Device device = tokens.getDevice();
    NDArray x =
        Embedding.embedding(
                tokens, ps.getValue(tokenEmbedding, device, training), SparseFormat.DENSE)
            .singletonOrThrow();
    NDArray bias;
    Rotary rotary = null;
    boolean llama = config.architecture().isLlama();
    NDManager scratch = tokens.getManager();
    if (cache != null && cache.isPadded()) {
      // Left-padded batch: per-sample positions, and padding slots masked out as keys. The
      // arrays made here belong to the step's manager (that of the tokens), not the model's.
      NDArray index = cache.positions(scratch, start, t).toDevice(device, false);
      if (llama) {
        rotary = Rotary.of(index, config.headDim(), config.architecture().ropeTheta());
      } else {
        NDArray positionWeight = ps.getValue(positionEmbedding, device, training);
        x = x.add(Embedding.embedding(index, positionWeight, SparseFormat.DENSE).singletonOrThrow());
      }
      NDArray causal = causalBias(device).get(new NDIndex("{}:{}, :{}", start, start + t, start + t));
      causal.attach(scratch);
      bias = cache.keyPaddingBias(scratch, start + t, MASKED).toDevice(device, false).add(causal);
    } else {
      // Slices are views that DJL attaches to the sliced array's manager, the model's; they
      // belong to the step (the tokens' manager), or every forward would leak two of them.
      if (llama) {
        rotary = Rotary.of(scratch.arange(start, start + t).toDevice(device, false),
            config.headDim(), config.architecture().ropeTheta());
      } else {
        NDArray positions =
            ps.getValue(positionEmbedding, device, training)
                .get(new NDIndex("{}:{}", start, start + t));
        positions.attach(scratch);
        x = x.add(positions);
      }
      bias = causalBias(device).get(new NDIndex("{}:{}, :{}", start, start + t, start + t));
      bias.attach(scratch);
    }

    NDList[] captured = {new NDList(), new NDList(), new NDList()};
    for (int i = 0; i < layers.size(); i++) {
      TransformerLayer layer =
          generationBranch && i >= config.fork() ? genLayers.get(i - config.fork()) : layers.get(i);
      x = layer.forward(ps, device, training, x, bias, rotary, i, cache, capture, captured);
      eachLayer.accept(x);
    }
    NDArray normWeight = ps.getValue(generationBranch ? genFinalNormWeight : finalNormWeight, device, training);
    NDArray h =
        llama
            ? LlamaDecoderLayer.rmsNorm(x, normWeight, config.architecture().normEps())
            : LayerNorm.layerNorm(
                    x,
                    normShape,
                    normWeight,
                    ps.getValue(generationBranch ? genFinalNormBias : finalNormBias, device, training),
                    DecoderLayer.LAYER_NORM_EPS)
                .singletonOrThrow();
    NDArray logits = Linear.linear(h, ps.getValue(lmHead, device, training)).singletonOrThrow();
    return new ForwardOutput(logits, captured[0], captured[1], captured[2]);
  }

  /** True when {@code task}'s sequences run through the generation branch of a forked model. */
  private boolean generationBranch(Optional<Task> task) {
    if (!config.forked()) {
      return false;
    }
    if (task.isEmpty()) {
      throw new IllegalArgumentException(
          "A forked model (fork "
              + config.fork()
              + " of "
              + config.layers()
              + " layers) needs the task to choose its branch");
    }
    return task.get() == Task.GENERATION;
  }

  /** The (maxLength, maxLength) causal bias on {@code device}: 0 where key <= query, else -1e9. */
  private NDArray causalBias(Device device) {
    if (causalBias == null || !causalBias.getDevice().equals(device)) {
      if (causalBias != null) {
        causalBias.close();
      }
      NDManager manager = tokenEmbedding.getArray().getManager();
      int n = config.maxLength();
      try (NDManager scratch = manager.newSubManager(device)) {
        NDArray index = scratch.arange(n);
        NDArray future = index.reshape(1, n).gt(index.reshape(n, 1));
        NDArray bias = future.toType(DataType.FLOAT32, false).mul(MASKED);
        bias.attach(manager);
        causalBias = bias;
      }
    }
    return causalBias;
  }

  /** DJL's generic forward: {@code [tokens] -> [logits]}. */
  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    ForwardOptions options = training ? ForwardOptions.training(Capture.NONE) : ForwardOptions.logitsOnly();
    return new NDList(forward(ps, inputs.singletonOrThrow(), options).logits());
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    return new Shape[] {new Shape(in.get(0), in.get(1), config.vocabSize())};
  }

  /** Registers parameters with their initialisers on this block. */
  private final class Factory implements DecoderLayer.ParameterFactory {

    @Override
    public Parameter weight(String name, Shape shape, double std) {
      // A generation-branch weight draws under its understanding twin's name: a copy at init.
      return register(
          name, Parameter.Type.WEIGHT, shape, new SeededNormal(config.seed(), initialName(name), std));
    }

    @Override
    public Parameter bias(String name, long size) {
      return register(name, Parameter.Type.BIAS, new Shape(size), Initializer.ZEROS);
    }

    @Override
    public Parameter gamma(String name, Shape shape) {
      return register(name, Parameter.Type.GAMMA, shape, Initializer.ONES);
    }

    @Override
    public Parameter beta(String name, Shape shape) {
      return register(name, Parameter.Type.BETA, shape, Initializer.ZEROS);
    }

    private Parameter register(
        String name, Parameter.Type type, Shape shape, Initializer initializer) {
      return addParameter(
          Parameter.builder()
              .setName(name)
              .setType(type)
              .optShape(shape)
              .optInitializer(initializer)
              .build());
    }
  }
}
