package org.aia4j.inference.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The decoder family of a {@link ModelConfig} and the hyper-parameters only that family has.
 *
 * <ul>
 *   <li>{@link Family#GPT}: aia4j's own GPT-2-style decoder (LayerNorm with biases, learned
 *       positions, GELU MLP, one fused {@code qkv} projection with biases). Every checkpoint
 *       written before families existed is one.
 *   <li>{@link Family#LLAMA}: the LLaMA decoder that Emu3, Chameleon, Lumina-mGPT and Liquid are
 *       built on (arXiv 2302.13971 and Hugging Face's {@code modeling_llama.py}): RMSNorm, rotary
 *       position embeddings in the rotate-half convention, grouped-query attention, SwiGLU MLP, no
 *       biases, and a tied or untied head.
 * </ul>
 *
 * @param family the decoder family
 * @param kvHeads LLaMA: key/value heads (grouped-query attention; {@code heads} is a multiple of
 *     it). GPT: 0 (every head has its own keys and values)
 * @param normEps LLaMA: RMSNorm's epsilon ({@code rms_norm_eps}). GPT: LayerNorm's, 1e-5
 * @param ropeTheta LLaMA: the rotary embedding's base ({@code rope_theta}). GPT: 0 (no rotary)
 * @param tiedHead LLaMA: the output head reuses the token embedding ({@code
 *     tie_word_embeddings}). GPT: false
 * @param qkNorm LLaMA: each head's queries and keys pass through their own LayerNorm (weight and
 *     bias per head, epsilon {@link #QK_NORM_EPS}) before the rotary embedding, as Chameleon's
 *     {@code qk_layernorm} does. GPT: false. Written to {@code config.json} only when true, so
 *     configurations without it read as before
 */
public record Architecture(
    Family family,
    int kvHeads,
    double normEps,
    double ropeTheta,
    boolean tiedHead,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean qkNorm) {

  /** GPT's LayerNorm epsilon. */
  public static final double GPT_NORM_EPS = 1e-5;

  /** aia4j's own decoder, the family of every checkpoint written before families existed. */
  public static final Architecture GPT = new Architecture(Family.GPT, 0, GPT_NORM_EPS, 0, false, false);

  /**
   * The epsilon of the per-head query/key LayerNorm ({@link #qkNorm()}): PyTorch's LayerNorm
   * default, which Chameleon's {@code ChameleonLayerNorm} keeps.
   */
  public static final double QK_NORM_EPS = 1e-5;

  /** Validates the family's fields; the message names the field. */
  public Architecture {
    Objects.requireNonNull(family, "family");
    if (family == Family.GPT) {
      if (kvHeads != 0 || ropeTheta != 0 || tiedHead || qkNorm || normEps != GPT_NORM_EPS) {
        throw new IllegalArgumentException("The gpt family has no kvHeads, ropeTheta, tiedHead or qkNorm and a"
            + " LayerNorm eps of 1e-5; got kvHeads " + kvHeads + ", ropeTheta " + ropeTheta + ", tiedHead "
            + tiedHead + ", qkNorm " + qkNorm + ", normEps " + normEps);
      }
    } else {
      if (kvHeads < 1) {
        throw new IllegalArgumentException("kvHeads must be >= 1, got " + kvHeads);
      }
      if (!(normEps > 0 && normEps < 1)) {
        throw new IllegalArgumentException("normEps must be in (0, 1), got " + normEps);
      }
      if (!(ropeTheta > 1 && Double.isFinite(ropeTheta))) {
        throw new IllegalArgumentException("ropeTheta must be a finite number > 1, got " + ropeTheta);
      }
    }
  }

  /**
   * A LLaMA-family decoder.
   *
   * @param kvHeads key/value heads
   * @param normEps RMSNorm's epsilon
   * @param ropeTheta the rotary base
   * @param tiedHead whether the head reuses the token embedding
   * @return the architecture
   */
  public static Architecture llama(int kvHeads, double normEps, double ropeTheta, boolean tiedHead) {
    return new Architecture(Family.LLAMA, kvHeads, normEps, ropeTheta, tiedHead, false);
  }

  /**
   * @param on whether queries and keys are normalised per head (Chameleon)
   * @return this architecture with or without the per-head query/key LayerNorm
   */
  public Architecture withQkNorm(boolean on) {
    return new Architecture(family, kvHeads, normEps, ropeTheta, tiedHead, on);
  }

  /** @return whether this is the LLaMA family */
  @JsonIgnore
  public boolean isLlama() {
    return family == Family.LLAMA;
  }

  /** The decoder families, by the name written in {@code config.json}. */
  public enum Family {
    /** aia4j's own GPT-2-style decoder. */
    GPT("gpt"),
    /** The LLaMA decoder. */
    LLAMA("llama");

    private final String id;

    Family(String id) {
      this.id = id;
    }

    /** @return the name written in configurations */
    @JsonValue
    public String id() {
      return id;
    }

    /**
     * @param id {@code gpt} or {@code llama}, any case
     * @return the family
     * @throws IllegalArgumentException naming the known families
     */
    @JsonCreator
    public static Family of(String id) {
      String wanted = id == null ? "" : id.toLowerCase(Locale.ROOT);
      return Arrays.stream(values())
          .filter(f -> f.id.equals(wanted))
          .findFirst()
          .orElseThrow(() -> new IllegalArgumentException("Unknown model family '" + id + "'. Known families: "
              + Arrays.stream(values()).map(Family::id).collect(Collectors.joining(", "))));
    }
  }
}
