package org.aia4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.aia4j.api.io.AtomicDirectory;
import org.aia4j.djl.checkpoint.Checkpoint;
import org.aia4j.djl.checkpoint.CheckpointInfo;
import org.aia4j.evaluation.run.EvalSettings;
import org.aia4j.evaluation.run.EvalSummary;
import org.aia4j.loss.StageSchedule;
import picocli.CommandLine;

/**
 * Trains and evaluates the arms of a base-then-fine-tunes loop, training through the {@code aia}
 * commands themselves and evaluating through the code {@code aia eval} runs (so a loop runs
 * exactly what a user would type), reusing finished runs: a checkpoint
 * made with the same settings is kept, an interrupted one resumed, any other retrained.
 */
final class ArmRunner {
  /**
   * One fine-tune of the base.
   *
   * @param aia whether the AIA loss is on
   * @param fork shared layers of a UniFork arm, or null for the fully shared model
   */
  record Arm(boolean aia, Integer fork) {}

  private final LoopOptions options;
  private final PrintWriter out;
  private final PrintWriter err;

  ArmRunner(LoopOptions options, PrintWriter out, PrintWriter err) {
    this.options = options;
    this.out = out;
    this.err = err;
  }

  /** Trains (or reuses) the shared base in {@code dir}: no AIA, the preset's learning rate. */
  void base(Path dir, long seed) throws IOException {
    train(dir, seed, List.of("--aia", "off", "--steps", Integer.toString(options.baseSteps)), null,
        options.baseSteps);
  }

  /** Fine-tunes (or reuses) {@code arm} from {@code base} into {@code dir}. */
  void fineTune(Path dir, Path base, long seed, Arm arm) throws IOException {
    List<String> settings = new ArrayList<>(List.of("--aia", arm.aia() ? "on" : "off", "--steps",
        Integer.toString(options.tuneSteps), "--learning-rate", Double.toString(options.tuneLearningRate), "--init",
        base.toString()));
    if (arm.fork() != null) {
      settings.addAll(List.of("--fork", arm.fork().toString()));
    }
    if (options.schedule != null) {
      settings.addAll(List.of("--schedule", options.schedule.toString()));
    }
    train(dir, seed, settings, arm, options.tuneSteps);
  }

  /**
   * Evaluates {@code checkpoint} on both suites into a fresh {@code evalDir}, as {@code aia eval}
   * does with its defaults and the loop's subset.
   *
   * @return the summary written there
   */
  EvalSummary evaluate(ModelLoading loading, Path checkpoint, Path evalDir, long seed, String backend)
      throws IOException {
    AtomicDirectory.deleteTree(evalDir);
    EvalSettings settings = EvalSettings.defaults(backend).withSubset(options.limit, options.samples).withSeed(seed);
    return EvalCommand.evaluate(loading, checkpoint, List.of("geneval", "mmbench"), settings, evalDir, out);
  }

  /** Runs one {@code aia} command in this JVM, failing with its command line if it fails. */
  void run(String... args) {
    CommandLine cli = AiaCommand.commandLine();
    cli.setOut(out);
    cli.setErr(err);
    int exit = cli.execute(args);
    if (exit != 0) {
      throw new IllegalStateException("aia " + String.join(" ", args) + " failed (exit " + exit + ")");
    }
  }

  private void train(Path dir, long seed, List<String> settings, Arm arm, int steps) throws IOException {
    if (Files.isDirectory(dir) && !options.fresh) {
      CheckpointInfo info = sameSettings(dir, seed, settings, arm, steps);
      if (info != null && info.step() >= steps) {
        out.printf("  reusing %s (step %d; --fresh retrains)%n", dir, info.step());
        out.flush();
        return;
      }
      if (info != null) {
        run("train", "--out", dir.toString(), "--resume");
        return;
      }
    }
    AtomicDirectory.deleteTree(dir);
    List<String> args = new ArrayList<>(List.of("train", "--preset", options.preset, "--seed", Long.toString(seed),
        "--out", dir.toString()));
    args.addAll(settings);
    run(args.toArray(String[]::new));
  }

  /** The checkpoint in {@code dir} if it was made with these settings (finished or not), else null. */
  private CheckpointInfo sameSettings(Path dir, long seed, List<String> settings, Arm arm, int steps) {
    try {
      CheckpointInfo info = Checkpoint.read(dir);
      var training = info.training();
      boolean fineTune = arm != null;
      boolean same = training.preset().equals(options.preset) && training.seed() == seed
          && training.aia() == (fineTune && arm.aia()) && training.steps() == steps
          && Objects.equals(training.fork(), fineTune ? arm.fork() : null)
          && fineTune == info.json().has("initialized_from")
          && (!fineTune || training.learningRate() == options.tuneLearningRate)
          && (!fineTune || options.schedule == null || training.schedule().equals(schedule()))
          && info.json().path("data").asText().equals(WorldRuns.data(seed).describe());
      return same ? info : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private JsonNode schedule() throws IOException {
    return StageSchedule.fromJson(Files.readString(options.schedule)).toJson();
  }

  /** Appends a summary's number to {@code metric}'s list (skipping absent values). */
  static void add(Map<String, List<Double>> into, String metric, Optional<Double> value) {
    value.ifPresent(v -> into.computeIfAbsent(metric, m -> new ArrayList<>()).add(v));
  }

  /**
   * Appends every score of an evaluation to {@code into}: each suite's overall, its vanilla score
   * if it has one, and its breakdown, the parts named {@code prefix.apply(suite) + part}.
   */
  static void addScores(Map<String, List<Double>> into, EvalSummary summary,
      java.util.function.Function<String, String> prefix) {
    summary.suite("geneval").ifPresent(geneval -> {
      add(into, "GenEval-style overall", Optional.of(geneval.overall()));
      geneval.breakdown().forEach((tag, value) -> add(into, prefix.apply("geneval") + tag, Optional.of(value)));
    });
    summary.suite("mmbench").ifPresent(mmbench -> {
      add(into, "MMBench-style circular", Optional.of(mmbench.overall()));
      add(into, "MMBench-style vanilla", mmbench.number("vanilla"));
      mmbench.breakdown().forEach((category, value) -> add(into, prefix.apply("mmbench") + category,
          Optional.of(value)));
    });
  }

  /** A number as people write it in a table: 0.0005, not 5.0E-4. */
  static String plain(double value) {
    return java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }

  /** "mean +- sample standard deviation" to 3 decimals ("mean" alone for one value, "-" for none). */
  static String meanStd(List<Double> values) {
    if (values.isEmpty()) {
      return "-";
    }
    double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    if (values.size() == 1) {
      return String.format(Locale.ROOT, "%.3f", mean);
    }
    double var = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum() / (values.size() - 1);
    return String.format(Locale.ROOT, "%.3f +- %.3f", mean, Math.sqrt(var));
  }
}
