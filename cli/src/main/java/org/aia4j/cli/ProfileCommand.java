package org.aia4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.aia4j.api.model.InteractionProfile;
import org.aia4j.api.model.Task;
import org.aia4j.djl.checkpoint.Checkpoint;
import org.aia4j.djl.profile.InteractionProfiler;
import org.aia4j.djl.sequence.SequenceBuilder;
import org.aia4j.evaluation.data.WorldTrainingData;
import org.aia4j.loss.ProfileFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aia profile}: a checkpoint's per-layer interaction curve for one task. */
@Command(name = "profile", mixinStandardHelpOptions = true,
    description = "Measure a checkpoint's per-layer interaction mass I_l (mean and spread over samples) for one task.")
final class ProfileCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--checkpoint", required = true, description = "A checkpoint directory (aia train --out).")
  Path checkpoint;

  @Option(names = "--task", required = true, description = "und (answer tokens -> image) or gen (image tokens -> prompt).")
  String task;

  @Option(names = "--samples", defaultValue = "256", description = "Samples to average over (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--out", required = true, description = "The profile JSON to write.")
  Path out;

  @Override
  public Integer call() throws Exception {
    Task parsed = Task.parse(task);
    try (Checkpoint.Loaded loaded = Checkpoint.load(checkpoint)) {
      WorldTrainingData data = WorldRuns.data(loaded.info().training().seed());
      SequenceBuilder builder = new SequenceBuilder(loaded.layout(), loaded.text(), loaded.image());
      InteractionProfile profile = new InteractionProfiler(loaded.model(), builder, loaded.manager())
          .profile(data, parsed, samples, 32);
      Map<String, Object> source = new LinkedHashMap<>();
      source.put("checkpoint", checkpoint.toAbsolutePath().toString());
      source.put("step", loaded.info().step());
      source.put("data", data.describe());
      // What aia report needs to draw the run's targets beside the curve without the checkpoint.
      source.put("aia", loaded.info().training().aia());
      source.put("schedule", loaded.info().training().schedule());
      source.put("statistic", parsed == Task.GENERATION
          ? "mass image tokens put on the prompt (BOS counted as text)" : "mass answer tokens put on the image");
      ProfileFile.write(out, profile, source);
      PrintWriter console = spec.commandLine().getOut();
      console.printf("I_l (%s, %d samples) of %s:%n", parsed.shortName(), profile.samples(), checkpoint);
      for (int l = 0; l < profile.layers(); l++) {
        console.printf("  layer %2d  %.3f +- %.3f%n", l, profile.mean().get(l), profile.std().get(l));
      }
      console.printf("Wrote %s%n", out);
      console.flush();
    }
    return 0;
  }
}
