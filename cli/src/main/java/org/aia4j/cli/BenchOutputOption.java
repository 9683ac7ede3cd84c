package org.aia4j.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --out} of the {@code aia bench} commands (a picocli mixin): the folder a benchmark
 * writes its {@code NAME.json} result and the {@code NAME.md} report rendered from it to.
 */
final class BenchOutputOption {
  @Option(names = "--out", defaultValue = "docs/benchmarks",
      description = "Where the report (NAME.md) and its raw figures (NAME.json) go (default: ${DEFAULT-VALUE}).")
  Path out;

  /** The report folder. */
  Path out() {
    return out;
  }
}
