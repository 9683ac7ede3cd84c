package org.aia4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;
import org.aia4j.djl.checkpoint.Checkpoint;
import org.aia4j.djl.train.StepRecord;
import org.aia4j.djl.train.TaskMix;
import org.aia4j.djl.train.TrainingConfig;
import org.aia4j.djl.train.TrainingPresets;
import org.aia4j.djl.train.UnifiedTrainer;
import org.aia4j.inference.checkpoint.CheckpointFiles;
import org.aia4j.loss.StageSchedule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aia train}: trains a unified model on the embedded world, with or without AIA. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a unified model on the embedded world (next-token loss, plus the AIA loss with --aia on).")
final class TrainCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--preset", defaultValue = "small", description = "tiny (tests, seconds), small (quickstart) or medium (25 M parameters; GPU) (default: ${DEFAULT-VALUE}).")
  String preset;

  @Option(names = "--tasks", defaultValue = "both", description = "both, und or gen: one task trains an expert (default: ${DEFAULT-VALUE}).")
  String tasks;

  @Option(names = "--aia", defaultValue = "on", description = "on or off (default: ${DEFAULT-VALUE}).")
  String aia;

  @Option(names = "--schedule", description = "AIA stage schedule JSON (aia targets output); default: the paper's, by relative depth.")
  Path schedule;

  @Option(names = "--fork", description = "UniFork: share the first N layers, then one branch of the rest per task "
      + "(default: none, the fully shared model). With --init from a shared model, the generation branch starts as "
      + "a copy of its deep layers.")
  Integer fork;

  @Option(names = "--steps", description = "Total steps of the run (default: the preset's).")
  Integer steps;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of initialisation, data and dropout (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--out", required = true, description = "The checkpoint directory to write.")
  Path out;

  @Option(names = "--init", description = "Start from this checkpoint's parameters and tokenizers (fine-tuning).")
  Path init;

  @Option(names = "--learning-rate", description = "Peak learning rate of AdamW (default: the preset's; "
      + "quickstart fine-tunes use a lower one so they refine the base instead of re-learning it).")
  Double learningRate;

  @Option(names = "--resume", description = "Continue the run saved in --out (with --steps: a new total).")
  boolean resume;

  @Option(names = "--stop-after", description = "Take at most this many steps now, then save (resume later).")
  Integer stopAfter;

  @Option(names = "--save-every", defaultValue = "500", description = "Save a checkpoint every N steps (default: ${DEFAULT-VALUE}).")
  int saveEvery;

  @Override
  public Integer call() throws Exception {
    PrintWriter console = spec.commandLine().getOut();
    UnifiedTrainer trainer;
    List<String> earlier;
    // A save interrupted between its renames left the checkpoint beside --out: put it back first.
    CheckpointFiles.recover(out).restoredFrom().ifPresent(from ->
        console.printf("Recovered %s from %s (an interrupted save)%n", out, from.getFileName()));
    if (resume) {
      if (!Files.isDirectory(out)) {
        throw new NoSuchFileException(out.toString(), null, "--resume needs an existing checkpoint in --out");
      }
      long runSeed = Checkpoint.read(out).training().seed();
      trainer = Checkpoint.resume(out, WorldRuns.data(runSeed), steps);
      earlier = Checkpoint.metrics(out);
      console.printf("Resuming %s at step %d of %d%n", out, trainer.step(), trainer.config().steps());
    } else {
      refuseNonEmpty(out);
      TrainingConfig config = TrainingPresets.config(preset, TaskMix.parse(tasks), onOff(aia), schedule(), steps, seed);
      if (learningRate != null) {
        TrainingConfig c = config;
        config = new TrainingConfig(c.preset(), c.tasks(), c.aia(), c.schedule(), c.steps(), c.seed(), c.batchSize(),
            c.understandingShare(), learningRate, c.warmupSteps(), c.finalLearningRateRatio(), c.weightDecay(),
            c.clipNorm(), c.promptDropout(), c.patchSize(), c.codebookSize());
      }
      config = config.withFork(fork);
      if (init != null) {
        console.printf("Fine-tuning from %s%n", init);
        trainer = Checkpoint.fineTune(init, config, WorldRuns.data(seed));
      } else {
        console.println("Fitting the tokenizers on the world's data");
        trainer = WorldRuns.trainer(config);
      }
      console.flush();
      earlier = List.of();
    }
    try (trainer) {
      TrainingConfig config = trainer.config();
      console.printf("Training %s%s (%,d parameters) on %s, tasks %s, AIA %s, %d steps, seed %d%n", config.preset(),
          config.fork() == null ? "" : " forked after layer " + config.fork(),
          trainer.model().config().parameterCount(), trainer.data().describe(), config.tasks(), config.aia() ? "on" : "off",
          config.steps(), config.seed());
      console.flush();
      int budget = stopAfter == null ? Integer.MAX_VALUE : stopAfter;
      StepRecord[] last = new StepRecord[1];
      try (ProgressBar bar = ProgressBars.create("train", config.steps())) {
        bar.stepTo(trainer.step());
        while (budget > 0 && trainer.step() < config.steps()) {
          int chunk = Math.min(budget, saveEvery);
          budget -= trainer.train(chunk, ProgressBars.listener(bar), r -> last[0] = r);
          Checkpoint.save(out, trainer, earlier);
        }
      }
      if (last[0] != null) {
        console.printf(Locale.ROOT, "Step %d: token loss %s, AIA loss %s, %,.0f tokens/s%n", last[0].step(),
            rounded(last[0].tokenLoss()), rounded(last[0].aiaLoss()), last[0].tokensPerSecond());
      }
      console.printf("Saved checkpoint %s (step %d of %d)%n", out, trainer.step(), config.steps());
      console.flush();
    }
    return 0;
  }

  private JsonNode schedule() throws Exception {
    if (schedule == null) {
      return StageSchedule.paperDefault().toJson();
    }
    if (!Files.isRegularFile(schedule)) {
      throw new NoSuchFileException(schedule.toString(), null, "schedule file is missing (make one with aia targets)");
    }
    try {
      return StageSchedule.fromJson(Files.readString(schedule)).toJson();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(schedule + ": " + e.getMessage(), e);
    }
  }

  private static String rounded(java.util.Map<String, Double> values) {
    StringBuilder text = new StringBuilder();
    values.forEach((task, value) -> text.append(text.length() == 0 ? "" : ", ").append(task)
        .append(String.format(Locale.ROOT, " %.4f", value)));
    return text.toString();
  }

  static boolean onOff(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "on", "true", "yes" -> true;
      case "off", "false", "no" -> false;
      default -> throw new IllegalArgumentException("--aia must be on or off, got '" + value + "'");
    };
  }

  private static void refuseNonEmpty(Path dir) throws Exception {
    if (Files.isDirectory(dir)) {
      try (Stream<Path> children = Files.list(dir)) {
        if (children.findAny().isPresent()) {
          throw new FileAlreadyExistsException(dir.toString(), null,
              "already holds a run: pass --resume to continue it, or choose a new --out");
        }
      }
    } else if (Files.exists(dir)) {
      throw new FileAlreadyExistsException(dir.toString(), null, "is a file, not a directory");
    }
  }
}
