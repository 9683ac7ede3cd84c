package org.aia4j.cli;

import org.aia4j.api.model.SamplingSettings;
import picocli.CommandLine.Option;

/**
 * How images are sampled (a picocli mixin): {@code --cfg}, {@code --temperature} and {@code
 * --top-k}, with {@code aia eval}'s defaults (guidance 2, temperature 1, all tokens). The seed is
 * a separate {@link SeedOption}, since not every command that samples has one.
 */
final class SamplingOptions {
  @Option(names = "--cfg", defaultValue = "2.0", description = "Classifier-free guidance weight w (default: ${DEFAULT-VALUE}).")
  double cfg;

  @Option(names = "--temperature", defaultValue = "1.0", description = "Image sampling temperature; 0 = greedy (default: ${DEFAULT-VALUE}).")
  double temperature;

  @Option(names = "--top-k", defaultValue = "0", description = "Sample among the K most likely tokens; 0 = all (default: ${DEFAULT-VALUE}).")
  int topK;

  /** These options with {@code seed}, as the models take them. */
  SamplingSettings settings(long seed) {
    return new SamplingSettings(cfg, temperature, topK, seed);
  }
}
