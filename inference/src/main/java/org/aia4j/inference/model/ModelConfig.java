package org.aia4j.inference.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

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
 */
public record ModelConfig(
    int layers, int width, int heads, int mlpWidth, int maxLength, int vocabSize, long seed) {

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
    PRESETS = Collections.unmodifiableMap(presets);
  }

  // Validates every field with a message that names it.
  public ModelConfig {
    requireAtLeast("layers", layers, 1);
    requireAtLeast("width", width, 1);
    requireAtLeast("heads", heads, 1);
    requireAtLeast("mlpWidth", mlpWidth, 1);
    requireAtLeast("maxLength", maxLength, 2);
    requireAtLeast("vocabSize", vocabSize, 2);
    if (width % heads != 0) {
      throw new IllegalArgumentException(
          "width (" + width + ") must be a multiple of heads (" + heads + ")");
    }
  }

  /**
   * A named configuration.
   *
   * @param name {@code tiny} (tests) or {@code small} (quickstart)
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

  /** @return the number of scalar parameters of a model with this configuration */
  public long parameterCount() {
    long w = width;
    long perLayer = 2 * (2 * w) + (3 * w * w + 3 * w) + (w * w + w) + 2 * w * mlpWidth + mlpWidth + w;
    return (long) vocabSize * w + (long) maxLength * w + layers * perLayer + 2 * w + vocabSize * w;
  }

  /** @return this configuration with another vocabulary size */
  public ModelConfig withVocabSize(int newVocabSize) {
    return new ModelConfig(layers, width, heads, mlpWidth, maxLength, newVocabSize, seed);
  }

  /** @return this configuration with another initialisation seed */
  public ModelConfig withSeed(long newSeed) {
    return new ModelConfig(layers, width, heads, mlpWidth, maxLength, vocabSize, newSeed);
  }

  /** @return this configuration with another maximum sequence length */
  public ModelConfig withMaxLength(int newMaxLength) {
    return new ModelConfig(layers, width, heads, mlpWidth, newMaxLength, vocabSize, seed);
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
      return JSON.readValue(json, ModelConfig.class);
    } catch (JsonProcessingException e) {
      Throwable cause = e.getCause();
      String reason =
          cause instanceof IllegalArgumentException ? cause.getMessage() : e.getOriginalMessage();
      throw new IllegalArgumentException("Invalid model config: " + reason, e);
    }
  }

  private static void requireAtLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be >= " + min + ", got " + value);
    }
  }
}
