package org.aia4j.api.benchmark;

import java.util.Objects;
import org.aia4j.api.model.SamplingSettings;

/**
 * How to run a benchmark. Part of every score's details, so a number can be reproduced.
 *
 * @param limit evaluate only the first {@code limit} items; 0 means all
 * @param samplesPerPrompt images per prompt for generation benchmarks (GenEval: 4)
 * @param sampling decoding settings for the model
 * @param batchSize how many requests go to the model at once
 */
public record BenchmarkOptions(
    int limit, int samplesPerPrompt, SamplingSettings sampling, int batchSize) {

  // Validates the options; each violation names the field.
  public BenchmarkOptions {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0 (0 = all), got " + limit);
    }
    if (samplesPerPrompt <= 0) {
      throw new IllegalArgumentException("samplesPerPrompt must be > 0, got " + samplesPerPrompt);
    }
    Objects.requireNonNull(sampling, "sampling must not be null");
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batchSize must be > 0, got " + batchSize);
    }
  }

  /** @return all items, 4 samples per prompt, default sampling, batches of 8 */
  public static BenchmarkOptions defaults() {
    return new BenchmarkOptions(0, 4, SamplingSettings.defaults(), 8);
  }

  /**
   * @param newLimit items to evaluate, 0 for all
   * @return these options on a subset
   */
  public BenchmarkOptions withLimit(int newLimit) {
    return new BenchmarkOptions(newLimit, samplesPerPrompt, sampling, batchSize);
  }

  /**
   * @param size how many items the benchmark has
   * @return how many items this run evaluates
   */
  public int effectiveSize(int size) {
    return limit == 0 ? size : Math.min(limit, size);
  }
}
