package org.aia4j.cli;

import picocli.CommandLine.Option;

/** {@code --preset} (a picocli mixin): the model preset a command trains or measures, {@code small} by default. */
final class PresetOption {
  @Option(names = "--preset", defaultValue = "small", description = "Model preset: tiny (tests, seconds), small "
      + "(quickstart), narrow (small at half the width: the conflict experiment) or medium (25 M parameters; GPU) (default: ${DEFAULT-VALUE}).")
  String preset;

  /** The preset's name, as {@code TrainingPresets} knows it. */
  String preset() {
    return preset;
  }
}
