package org.aia4j.cli;

import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options of a base-then-fine-tunes loop, shared by {@code aia quickstart} and {@code aia
 * experiment} (a picocli mixin), so both train and evaluate their arms the same way.
 */
final class LoopOptions {
  @Mixin
  PresetOption presetOption = new PresetOption();

  @Mixin
  WorldOption world = new WorldOption();

  @Option(names = "--base-steps", defaultValue = "2400", description = "Steps of the shared base (default: ${DEFAULT-VALUE}).")
  int baseSteps;

  @Option(names = "--tune-steps", defaultValue = "500", description = "Steps of each fine-tune (default: ${DEFAULT-VALUE}).")
  int tuneSteps;

  @Option(names = "--tune-learning-rate", defaultValue = "5e-4", description = "Peak learning rate of each "
      + "fine-tune (default: ${DEFAULT-VALUE}; the base uses the preset's). Restarting at the base's peak (2e-3) "
      + "undid part of what the base had learnt.")
  double tuneLearningRate;

  @Option(names = "--schedule", description = "AIA stage schedule JSON (default: the paper's, by relative depth).")
  Path schedule;

  @Option(names = "--limit", defaultValue = "0", description = "Evaluate only the first N prompts/questions; 0 = all.")
  int limit;

  @Option(names = "--samples", defaultValue = "4", description = "Images per GenEval prompt (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--fresh", description = "Retrain everything instead of reusing finished runs in --out.")
  boolean fresh;

  /** The model preset both loops train. */
  String preset() {
    return presetOption.preset();
  }
}
