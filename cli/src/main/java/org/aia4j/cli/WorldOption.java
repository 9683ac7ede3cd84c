package org.aia4j.cli;

import java.io.IOException;
import java.util.Map;
import org.aia4j.djl.train.TrainingConfig;
import org.aia4j.evaluation.world.World;
import org.aia4j.evaluation.world.Worlds;
import picocli.CommandLine.Option;

/**
 * {@code --world NAME} (a picocli mixin): the benchmark world a command draws, trains on or
 * judges with. {@code shapes} is the default (flat shapes, read back exactly); {@code fashion}
 * draws real Fashion-MNIST items and judges with a learned classifier; a plug-in jar may add more.
 */
final class WorldOption {
  @Option(names = "--world", defaultValue = Worlds.DEFAULT, description = "The benchmark world: shapes (flat shapes, "
      + "exact judge), fashion (real Fashion-MNIST items, learned judge; needs Debian's dataset-fashion-mnist) or a "
      + "plug-in's (default: ${DEFAULT-VALUE}).")
  String name = Worlds.DEFAULT;

  /** The world's name as given. */
  String name() {
    return name;
  }

  /** The world, shared within the process (its judge is loaded or trained once). */
  World world() throws IOException {
    return Worlds.get(name, Map.of());
  }

  /**
   * {@code config} with the image tokenizer the world asks for ({@link World#tokenizerHint}), or
   * as it is when the world takes the preset's.
   */
  TrainingConfig withWorldTokenizer(TrainingConfig config) throws IOException {
    return world().tokenizerHint().map(h -> config.withImageTokenizer(h.patchSize(), h.codebookSize()))
        .orElse(config);
  }

  /** The suites' config entry selecting this world. */
  Map<String, String> config() {
    return Map.of("world", name);
  }
}
