package org.aia4j.inference.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The shape of a {@link UnifiedTransformer}: everything needed to rebuild it before its
 * parameters are loaded. Serialised as JSON into every checkpoint ({@link #toJson()}).
 *
 * @param layers number of decoder layers, at least 1
 * @param width model (residual stream) width; a multiple of {@code heads}
 * @param heads attention heads per layer; each head is {@code width / heads} wide
 * @param mlpWidth hidden width of each layer's MLP
 * @param maxLength longest sequence the learned positional embedding covers
 * @param vocabSize size of the unified vocabulary (specials + text + image codes, see {@code
 *     TokenLayout#vocabularySize()})
 * @param seed seed of the parameter initialisation: one seed, one set of initial parameters
 * @param fork the number of layers both tasks share (UniFork, arXiv 2506.17202): layers {@code
 *     [0, fork)} are shared, then understanding and generation each run their own copy of layers
 *     {@code [fork, layers)} and their own final norm (a Y-shaped model). {@code fork == layers}
 *     (the default, and the value of a {@code config.json} written before the field existed) is
 *     the fully shared model
 * @param architecture the decoder family and its own hyper-parameters ({@link Architecture#GPT},
 *     the value of a {@code config.json} written before families existed, or a LLaMA decoder)
 */
public record ModelConfig(
    int layers,
    int width,
    int heads,
    int mlpWidth,
    int maxLength,
    int vocabSize,
    long seed,
    int fork,
    Architecture architecture) {

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

  private static final Map<String, ModelConfig> PRESETS;

  static {
    Map<String, ModelConfig> presets = new LinkedHashMap<>();
    // For tests: a forward and backward pass takes milliseconds.
    presets.put("tiny", new ModelConfig(2, 32, 4, 64, 128, 64, 0));
    // For the quickstart (DESIGN section 6: 4 x 128, 4 heads, about 0.9 M parameters with a
    // vocabulary of a few hundred). The vocabulary comes from the tokenizers: withVocabSize.
    presets.put("small", new ModelConfig(4, 128, 4, 512, 256, 512, 0));
    // The small preset at half the width (about a quarter of the parameters): the conflict
    // experiment's regime, where the two tasks compete for capacity and a run is 3x cheaper
    // (docs/experiments/aia-conflict.md).
    presets.put("narrow", new ModelConfig(4, 64, 4, 256, 256, 512, 0));
    // A model whose weights (about 25 M parameters, 100 MB in float32) no longer sit in a core's
    // cache: the regime of real unified models, where one decode step is bounded by reading the
    // weights and batching amortises that read (docs/benchmarks/serve.md). Meant for a GPU
    // (-Pcuda) or a patient CPU.
    presets.put("medium", new ModelConfig(8, 512, 8, 2048, 256, 512, 0));
    // The LLaMA family at the small preset's size: 4 x 128, 4 query heads sharing 2 key/value
    // heads, a SwiGLU MLP as wide in parameters as small's GELU one (3 x 344 ~ 2 x 512), rotary
    // positions with LLaMA 3's base.
    presets.put("small-llama",
        new ModelConfig(4, 128, 4, 344, 256, 512, 0, 4, Architecture.llama(2, 1e-5, 500_000, false)));
    // For tests: the tiny preset's size in the LLaMA family.
    presets.put("tiny-llama",
        new ModelConfig(2, 32, 4, 64, 128, 64, 0, 2, Architecture.llama(2, 1e-5, 500_000, false)));
    PRESETS = Collections.unmodifiableMap(presets);
  }

  /** Most decoder layers a configuration may have (the largest published LLMs have about 130). */
  public static final int MAX_LAYERS = 1024;
  /** Widest residual stream (and MLP width / 4) a configuration may have. */
  public static final int MAX_WIDTH = 65_536;
  /** Most attention heads a layer may have. */
  public static final int MAX_HEADS = 1024;
  /** Longest sequence a configuration may cover. */
  public static final int MAX_LENGTH = 1 << 20;
  /** Largest unified vocabulary a configuration may have. */
  public static final int MAX_VOCABULARY = 1 << 24;
  /**
   * Most parameters a configuration may have: 4 G (16 GB of float32), beyond which nothing this
   * library reads (safetensors of at most 2 GiB) could hold its weights anyway.
   */
  public static final long MAX_PARAMETERS = 1L << 32;

  // Validates every field with a message that names it; the maxima keep a hostile config.json
  // from allocating (or looping over) a model no file could hold before its weights are checked.
  public ModelConfig {
    Objects.requireNonNull(architecture, "architecture");
    requireBetween("layers", layers, 1, MAX_LAYERS);
    requireBetween("width", width, 1, MAX_WIDTH);
    requireBetween("heads", heads, 1, MAX_HEADS);
    requireBetween("mlpWidth", mlpWidth, 1, 4 * MAX_WIDTH);
    requireBetween("maxLength", maxLength, 2, MAX_LENGTH);
    requireBetween("vocabSize", vocabSize, 2, MAX_VOCABULARY);
    if (width % heads != 0) {
      throw new IllegalArgumentException(
          "width (" + width + ") must be a multiple of heads (" + heads + ")");
    }
    if (architecture.isLlama()) {
      if (architecture.kvHeads() > heads || heads % architecture.kvHeads() != 0) {
        throw new IllegalArgumentException(
            "heads (" + heads + ") must be a multiple of kvHeads (" + architecture.kvHeads() + ")");
      }
      if ((width / heads) % 2 != 0) {
        throw new IllegalArgumentException("The rotary embedding needs an even head width, got width / heads = "
            + width / heads);
      }
    }
    if (fork < 0) {
      throw new IllegalArgumentException(
          "fork (the number of shared layers) must be >= 0, got " + fork);
    }
    if (fork > layers) {
      throw new IllegalArgumentException(
          "fork (the number of shared layers) must be <= layers (" + layers + "), got " + fork);
    }
    long parameters = countParameters(layers, width, heads, mlpWidth, maxLength, vocabSize, fork, architecture);
    if (parameters > MAX_PARAMETERS) {
      throw new IllegalArgumentException("layers " + layers + ", width " + width + ", mlpWidth " + mlpWidth
          + ", maxLength " + maxLength + " and vocabSize " + vocabSize + " make " + parameters
          + " parameters, more than the " + MAX_PARAMETERS + " this library can load");
    }
  }

  /** The fully shared model of the GPT family: {@code fork == layers}. */
  public ModelConfig(
      int layers, int width, int heads, int mlpWidth, int maxLength, int vocabSize, long seed) {
    this(layers, width, heads, mlpWidth, maxLength, vocabSize, seed, layers);
  }

  /** A model of the GPT family. */
  public ModelConfig(
      int layers, int width, int heads, int mlpWidth, int maxLength, int vocabSize, long seed, int fork) {
    this(layers, width, heads, mlpWidth, maxLength, vocabSize, seed, fork, Architecture.GPT);
  }

  /**
   * Jackson's way in: a config without {@code fork} (written before the field existed) is the
   * fully shared model, one without {@code architecture} is of the GPT family.
   */
  @JsonCreator
  static ModelConfig create(
      @JsonProperty("layers") int layers,
      @JsonProperty("width") int width,
      @JsonProperty("heads") int heads,
      @JsonProperty("mlpWidth") int mlpWidth,
      @JsonProperty("maxLength") int maxLength,
      @JsonProperty("vocabSize") int vocabSize,
      @JsonProperty("seed") long seed,
      @JsonProperty("fork") Integer fork,
      @JsonProperty("architecture") Architecture architecture) {
    return new ModelConfig(layers, width, heads, mlpWidth, maxLength, vocabSize, seed, fork == null ? layers : fork,
        architecture == null ? Architecture.GPT : architecture);
  }

  /**
   * A named configuration.
   *
   * @param name {@code tiny} (tests), {@code small} (quickstart), {@code narrow} (the conflict
   *     experiment), {@code medium} (a larger model), or {@code small-llama} / {@code tiny-llama}
   *     (the LLaMA family)
   * @return the preset; set the vocabulary with {@link #withVocabSize}
   * @throws IllegalArgumentException for an unknown name, listing the known ones
   */
  public static ModelConfig preset(String name) {
    ModelConfig config = PRESETS.get(name);
    if (config == null) {
      throw new IllegalArgumentException(
          "Unknown model preset '" + name + "'. Known presets: " + String.join(", ", presetNames()));
    }
    return config;
  }

  /** @return the preset names, in the order they are documented */
  public static Iterable<String> presetNames() {
    return PRESETS.keySet();
  }

  /** @return the width of one attention head */
  public int headDim() {
    return width / heads;
  }

  /** @return the key/value heads per layer: {@code heads} unless grouped-query attention shares them */
  public int kvHeads() {
    return architecture.isLlama() ? architecture.kvHeads() : heads;
  }

  /** @return true for a Y-shaped model: some layers ({@code fork < layers}) have a branch per task */
  public boolean forked() {
    return fork < layers;
  }

  /**
   * @return the number of scalar parameters of a model with this configuration; a forked model
   *     counts both branches (each task's forward uses {@link #parametersPerTask()} of them)
   */
  public long parameterCount() {
    return countParameters(layers, width, heads, mlpWidth, maxLength, vocabSize, fork, architecture);
  }

  /** @return the parameters one task's forward pass uses: the shared layers and one branch */
  public long parametersPerTask() {
    return parametersPerTask(layers, width, heads, mlpWidth, maxLength, vocabSize, architecture);
  }

  private static long countParameters(int layers, int width, int heads, int mlpWidth, int maxLength,
      int vocabSize, int fork, Architecture architecture) {
    long finalNorm = architecture.isLlama() ? width : 2L * width;
    return parametersPerTask(layers, width, heads, mlpWidth, maxLength, vocabSize, architecture)
        + (layers - fork) * parametersPerLayer(width, heads, mlpWidth, architecture)
        + (fork < layers ? finalNorm : 0);
  }

  private static long parametersPerTask(int layers, int width, int heads, int mlpWidth, int maxLength,
      int vocabSize, Architecture architecture) {
    long w = width;
    long perLayer = parametersPerLayer(width, heads, mlpWidth, architecture);
    if (architecture.isLlama()) {
      // Token embedding, layers, final RMSNorm, and the head unless it is the embedding.
      return (long) vocabSize * w + layers * perLayer + w + (architecture.tiedHead() ? 0 : (long) vocabSize * w);
    }
    return (long) vocabSize * w + (long) maxLength * w + layers * perLayer + 2 * w + vocabSize * w;
  }

  private static long parametersPerLayer(int width, int heads, int mlpWidth, Architecture architecture) {
    long w = width;
    if (architecture.isLlama()) {
      long kv = (long) architecture.kvHeads() * (width / heads);
      // Per-head query/key LayerNorms: a weight and a bias per query and per key/value channel.
      long qkNorms = architecture.qkNorm() ? 2 * w + 2 * kv : 0;
      // Two RMSNorms, q and o (W x W), k and v (kv x W), gate, up and down (W x M).
      return 2 * w + 2 * w * w + 2 * kv * w + 3 * w * mlpWidth + qkNorms;
    }
    return 2 * (2 * w) + (3 * w * w + 3 * w) + (w * w + w) + 2 * w * mlpWidth + mlpWidth + w;
  }

  /** @return this configuration with another vocabulary size */
  public ModelConfig withVocabSize(int newVocabSize) {
    return new ModelConfig(layers, width, heads, mlpWidth, maxLength, newVocabSize, seed, fork, architecture);
  }

  /** @return this configuration with another initialisation seed */
  public ModelConfig withSeed(long newSeed) {
    return new ModelConfig(layers, width, heads, mlpWidth, maxLength, vocabSize, newSeed, fork, architecture);
  }

  /** @return this configuration with another maximum sequence length */
  public ModelConfig withMaxLength(int newMaxLength) {
    return new ModelConfig(layers, width, heads, mlpWidth, newMaxLength, vocabSize, seed, fork, architecture);
  }

  /**
   * @param newFork the number of shared layers; {@code layers} for the fully shared model
   * @return this configuration with another fork
   */
  public ModelConfig withFork(int newFork) {
    return new ModelConfig(layers, width, heads, mlpWidth, maxLength, vocabSize, seed, newFork, architecture);
  }

  /** @return the configuration as indented JSON, one property per record component */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot serialise " + this, e);
    }
  }

  /**
   * Reads a configuration written by {@link #toJson()}.
   *
   * @param json the JSON text
   * @return the validated configuration
   * @throws IllegalArgumentException on malformed JSON, a missing or unknown property, or a value
   *     that fails validation (the message says which)
   */
  public static ModelConfig fromJson(String json) {
    try {
      JsonNode tree = JSON.readTree(json);
      if (tree instanceof ObjectNode object && !object.has("fork") && object.has("layers")) {
        object.set("fork", object.get("layers")); // written before the fork existed: unforked
      }
      if (tree instanceof ObjectNode object && !object.has("architecture")) {
        object.set("architecture", JSON.valueToTree(Architecture.GPT)); // written before families existed
      }
      if (tree instanceof ObjectNode object && object.get("architecture") instanceof ObjectNode architecture
          && !architecture.has("qkNorm")) {
        architecture.put("qkNorm", false); // written only when true
      }
      return JSON.treeToValue(tree, ModelConfig.class);
    } catch (JsonProcessingException e) {
      Throwable cause = e.getCause();
      String reason =
          cause instanceof IllegalArgumentException ? cause.getMessage() : e.getOriginalMessage();
      throw new IllegalArgumentException("Invalid model config: " + reason, e);
    }
  }

  private static void requireBetween(String name, int value, int min, int max) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be >= " + min + ", got " + value);
    }
    if (value > max) {
      throw new IllegalArgumentException(name + " must be <= " + max + ", got " + value);
    }
  }
}
