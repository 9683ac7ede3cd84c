package org.aia4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.aia4j.evaluation.files.TrainingDataWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aia data export}: a world's training data as files in the formats {@code aia
 * train --data} reads, to see the formats and to start a data set of one's own from.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Write a world's training samples as LLaVA conversation JSON, generation JSONL and PNG "
        + "images: the files aia train --data reads.")
final class DataExportCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--samples", defaultValue = "100",
      description = "Samples of each task to write (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--out", required = true, description = "The folder to write; must be new or empty.")
  Path out;

  @Mixin
  WorldOption world = new WorldOption();

  @Mixin
  SeedOption seed = new SeedOption(0);

  @Override
  public Integer call() throws Exception {
    if (samples <= 0) {
      throw new IllegalArgumentException("--samples must be positive, got " + samples);
    }
    TrainingDataWriter.Written written = TrainingDataWriter.write(WorldRuns.data(world.world(), seed.seed()), samples, samples, out);
    StringBuilder data = new StringBuilder();
    written.files().forEach(file -> data.append(" --data ").append(file));
    spec.commandLine().getOut().printf("Wrote %d understanding and %d generation samples to %s; train on them with "
        + "aia train%s%n", written.understanding(), written.generation(), written.dir(), data);
    return 0;
  }
}
