package org.aia4j.api.model;

/**
 * How tokens are drawn when a model decodes. Recorded with every generated image and benchmark
 * score, because results that leave these out cannot be reproduced.
 *
 * @param cfgWeight classifier-free guidance weight {@code w} in {@code u + w (c - u)}; 1 means
 *     no guidance. Used by generation; understanding ignores it.
 * @param temperature softmax temperature; 0 means greedy (argmax)
 * @param topK sample only among the {@code topK} most likely tokens; 0 means no cut-off
 * @param seed seed of the sampler's random generator
 */
public record SamplingSettings(double cfgWeight, double temperature, int topK, long seed) {

  // Validates the settings; each violation names the field and the value given.
  public SamplingSettings {
    if (!Double.isFinite(cfgWeight)) {
      throw new IllegalArgumentException("cfgWeight must be a finite number, got " + cfgWeight);
    }
    if (!(temperature >= 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException(
          "temperature must be finite and >= 0 (0 = greedy), got " + temperature);
    }
    if (topK < 0) {
      throw new IllegalArgumentException("topK must be >= 0 (0 = no cut-off), got " + topK);
    }
  }

  /**
   * The settings that sampled best in the feasibility runs: CFG weight 2, temperature 1, no
   * top-k, seed 0.
   *
   * @return {@code (2.0, 1.0, 0, 0)}
   */
  public static SamplingSettings defaults() {
    return new SamplingSettings(2.0, 1.0, 0, 0L);
  }

  /**
   * Deterministic argmax decoding without guidance, the usual choice for answering questions.
   *
   * @return {@code (1.0, 0.0, 0, 0)}
   */
  public static SamplingSettings greedy() {
    return new SamplingSettings(1.0, 0.0, 0, 0L);
  }

  /**
   * @param newSeed the seed to use
   * @return these settings with another seed, e.g. one per benchmark sample
   */
  public SamplingSettings withSeed(long newSeed) {
    return new SamplingSettings(cfgWeight, temperature, topK, newSeed);
  }

  /** @return true when decoding is argmax (temperature 0) and so ignores the seed */
  public boolean isGreedy() {
    return temperature == 0.0;
  }
}
