package org.aia4j.cli;

import picocli.CommandLine.Option;

/**
 * {@code --seed} (a picocli mixin): the seed of everything a command draws at random. Commands
 * differ in their default seed, so each passes its own when it creates the mixin, e.g. {@code
 * @Mixin SeedOption seed = new SeedOption(MmbenchSuite.DEFAULT_SEED);}; picocli shows that initial
 * value as the default.
 */
final class SeedOption {
  @Option(names = "--seed", description = "Seed of everything the command draws at random; the same seed gives the "
      + "same output (default: ${DEFAULT-VALUE}, which gives the default suite or images).")
  long seed;

  /** @param defaultSeed the seed when {@code --seed} is not given */
  SeedOption(long defaultSeed) {
    this.seed = defaultSeed;
  }

  /** The seed given, or the command's default. */
  long seed() {
    return seed;
  }
}
