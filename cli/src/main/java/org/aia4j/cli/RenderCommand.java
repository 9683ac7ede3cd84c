package org.aia4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.aia4j.evaluation.geneval.GenEvalOracle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aia render}: the oracle generator, ground-truth images in GenEval's folder layout. */
@Command(name = "render", mixinStandardHelpOptions = true,
    description = "Render ground-truth (oracle) images for GenEval-style metadata in GenEval's folder layout.")
final class RenderCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--metadata", required = true, description = "An evaluation_metadata.jsonl file.")
  Path metadata;

  @Option(names = "--out", required = true, description = "The image folder to create (must be new or empty).")
  Path out;

  @Option(names = "--samples", defaultValue = "" + GenEvalOracle.DEFAULT_SAMPLES,
      description = "Images per prompt (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--size", defaultValue = "32", description = "Image size in pixels, 32 or 64 (default: ${DEFAULT-VALUE}).")
  int size;

  @Mixin
  WorldOption world = new WorldOption();

  @Mixin
  SeedOption seed = new SeedOption(GenEvalOracle.DEFAULT_SEED);

  @Override
  public Integer call() throws Exception {
    if (samples <= 0) {
      throw new IllegalArgumentException("--samples must be positive, got " + samples);
    }
    int prompts = GenEvalOracle.render(world.world(), metadata, out, samples, size, seed.seed());
    spec.commandLine().getOut().printf("Rendered %d images for %d prompts (%dx%d) into %s%n",
        prompts * samples, prompts, size, size, out);
    return 0;
  }
}
