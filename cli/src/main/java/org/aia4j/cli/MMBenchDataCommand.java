package org.aia4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.aia4j.evaluation.mmbench.MmbenchSuite;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aia data mmbench}: the MMBench-style suite as a circular TSV. */
@Command(name = "mmbench", mixinStandardHelpOptions = true,
    description = "Write an MMBench-style TSV for a world (--world), every CircularEval copy included.")
final class MMBenchDataCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--out", required = true, description = "The TSV file to write.")
  Path out;

  @Mixin
  WorldOption world = new WorldOption();

  @Mixin
  SeedOption seed = new SeedOption(MmbenchSuite.DEFAULT_SEED);

  @Option(names = "--questions", defaultValue = "" + MmbenchSuite.DEFAULT_QUESTIONS,
      description = "Number of questions before circular expansion (default: ${DEFAULT-VALUE}).")
  int questions;

  @Option(names = "--size", defaultValue = "32", description = "Image size in pixels, 32 or 64 (default: ${DEFAULT-VALUE}).")
  int size;

  @Override
  public Integer call() throws Exception {
    if (questions <= 0) {
      throw new IllegalArgumentException("--questions must be positive, got " + questions);
    }
    MmbenchSuite.Written written = MmbenchSuite.writeCircularTsv(out, world.world().atSize(size), seed.seed(), questions);
    spec.commandLine().getOut().printf("Wrote %d questions (%d rows with circular copies) to %s%n",
        written.questions(), written.rows(), written.path());
    return 0;
  }
}
