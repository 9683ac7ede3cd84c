package org.aia4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.aia4j.api.io.AtomicFiles;
import org.aia4j.api.model.InteractionProfile;
import org.aia4j.api.model.Task;
import org.aia4j.inference.profile.ProfileFile;
import org.aia4j.loss.LayerTargets;
import org.aia4j.loss.StageSchedule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aia targets}: turns expert interaction curves into an AIA stage schedule. */
@Command(name = "targets", mixinStandardHelpOptions = true,
    description = "Turn expert per-layer interaction curves (aia profile output) into a stage schedule for aia train --schedule.")
final class TargetsCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--und", required = true, description = "Profile of an understanding expert (aia profile --task und).")
  Path understanding;

  @Option(names = "--gen", required = true, description = "Profile of a generation expert (aia profile --task gen).")
  Path generation;

  @Option(names = "--stages", defaultValue = "2", description = "Stages (blocks of layers by relative depth) (default: ${DEFAULT-VALUE}).")
  int stages;

  @Option(names = "--out", required = true, description = "The schedule JSON to write.")
  Path out;

  @Override
  public Integer call() throws Exception {
    InteractionProfile und = ProfileFile.read(understanding, Task.UNDERSTANDING);
    InteractionProfile gen = ProfileFile.read(generation, Task.GENERATION);
    if (stages < 1 || stages > Math.min(und.layers(), gen.layers())) {
      throw new IllegalArgumentException("--stages must be between 1 and the profiles' depth ("
          + Math.min(und.layers(), gen.layers()) + "), got " + stages);
    }
    StageSchedule schedule = StageSchedule.fromExpertProfiles(und, gen, stages);
    AtomicFiles.writeString(out, schedule.toJsonString() + "\n");
    PrintWriter console = spec.commandLine().getOut();
    console.printf("Wrote a %d-stage schedule to %s%n", stages, out);
    for (Task task : Task.values()) {
      LayerTargets targets = schedule.resolve(task, task == Task.UNDERSTANDING ? und.layers() : gen.layers());
      console.printf(java.util.Locale.ROOT, "  %-13s lambda %.1f targets %s%n", task.name().toLowerCase(java.util.Locale.ROOT),
          targets.lambda(), java.util.Arrays.stream(targets.target()).mapToObj(v -> String.format(java.util.Locale.ROOT, "%.3f", v)).toList());
    }
    console.flush();
    return 0;
  }
}
