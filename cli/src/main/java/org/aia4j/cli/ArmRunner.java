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
import java.util.Optional;
import org.aia4j.api.io.AtomicDirectory;
import org.aia4j.djl.train.TaskMix;
import org.aia4j.djl.train.TrainingConfig;
import org.aia4j.djl.train.TrainingPresets;
import org.aia4j.djl.train.run.TrainingRuns;
import org.aia4j.evaluation.run.EvalSettings;
import org.aia4j.evaluation.run.EvalSummary;
import org.aia4j.loss.StageSchedule;

/**
 * Trains and evaluates the arms of a base-then-fine-tunes loop. Training builds each arm's spec
 * ({@link TrainingConfig}) and runs it with {@link TrainingRuns#reuseOrTrain}: a checkpoint whose
 * recorded spec equals it is kept, an interrupted one resumed, any other retrained. Evaluation runs the
 * code {@code aia eval} runs ({@link EvalCommand#evaluate}), so a loop scores exactly as a user would.
 */
final class ArmRunner {
  /**
   * One fine-tune of a base.
   *
   * @param aia whether the AIA loss is on
   * @param fork shared layers of a UniFork arm, or null for the fully shared model
   * @param lossConfig the AIA loss config (schedule and options), or null for the loop's schedule
   *     with the default options
   */
  record Arm(boolean aia, Integer fork, JsonNode lossConfig) {
    Arm(boolean aia, Integer fork) {
      this(aia, fork, null);
    }
  }

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
    train(dir, baseSpec(seed));
  }

  /** Trains (or reuses) a base of {@code tasks} for {@code steps} steps, forked after {@code fork} layers or not. */
  void base(Path dir, long seed, TaskMix tasks, int steps, Integer fork) throws IOException {
    train(dir, baseSpec(seed, tasks, steps, fork));
  }

  /** Fine-tunes (or reuses) {@code arm} from {@code base} into {@code dir}. */
  void fineTune(Path dir, Path base, long seed, Arm arm) throws IOException {
    train(dir, tuneSpec(base, seed, arm));
  }

  /** Fine-tunes (or reuses) {@code arm} of {@code tasks} for {@code steps} steps from {@code base} into {@code dir}. */
  void fineTune(Path dir, Path base, long seed, Arm arm, TaskMix tasks, int steps) throws IOException {
    train(dir, tuneSpec(base, seed, arm, tasks, steps));
  }

  /** The spec of the shared base: the preset's defaults with AIA off, the loop's base steps. */
  TrainingConfig baseSpec(long seed) throws IOException {
    return baseSpec(seed, TaskMix.BOTH, options.baseSteps, null);
  }

  /** The spec of a base: the preset's defaults with AIA off. */
  TrainingConfig baseSpec(long seed, TaskMix tasks, int steps, Integer fork) throws IOException {
    return options.world.withWorldTokenizer(TrainingPresets.config(options.preset(), tasks, false,
        StageSchedule.paperDefault().toJson(), steps, seed)).withFork(fork);
  }

  /** The spec of one arm: fine-tuned from {@code base} with the loop's steps, rate and schedule. */
  TrainingConfig tuneSpec(Path base, long seed, Arm arm) throws IOException {
    return tuneSpec(base, seed, arm, TaskMix.BOTH, options.tuneSteps);
  }

  /** The spec of one arm of {@code tasks}: fine-tuned from {@code base} at the loop's rate. */
  TrainingConfig tuneSpec(Path base, long seed, Arm arm, TaskMix tasks, int steps) throws IOException {
    JsonNode schedule = arm.lossConfig() != null ? arm.lossConfig()
        : options.schedule == null ? StageSchedule.paperDefault().toJson() : schedule();
    return options.world.withWorldTokenizer(
        TrainingPresets.config(options.preset(), tasks, arm.aia(), schedule, steps, seed))
        .withLearningRate(options.tuneLearningRate)
        .withFork(arm.fork())
        .withInit(base);
  }

  /**
   * Evaluates {@code checkpoint} on both suites into a fresh {@code evalDir}, as {@code aia eval}
   * does with its defaults and the loop's subset.
   *
   * @return the summary written there
   */
  EvalSummary evaluate(ModelLoading loading, Path checkpoint, Path evalDir, long seed, String backend)
      throws IOException {
    return evaluate(loading, checkpoint, evalDir, List.of("geneval", "mmbench"), settings(seed, backend));
  }

  /** The settings {@link #evaluate(ModelLoading, Path, Path, long, String)} uses. */
  EvalSettings settings(long seed, String backend) {
    return EvalSettings.defaults(backend).withSubset(options.limit, options.samples).withSeed(seed)
        .withWorld(options.world.name());
  }

  /** Evaluates {@code checkpoint} on {@code benchmarks} with {@code settings} into a fresh {@code evalDir}. */
  EvalSummary evaluate(ModelLoading loading, Path checkpoint, Path evalDir, List<String> benchmarks,
      EvalSettings settings) throws IOException {
    AtomicDirectory.deleteTree(evalDir);
    return EvalCommand.evaluate(loading, checkpoint, benchmarks, settings, evalDir, out);
  }

  /** Fine-tunes {@code arm} from {@code base} into {@code dir}, replacing whatever is there. */
  void fineTuneFresh(Path dir, Path base, long seed, Arm arm) throws IOException {
    train(dir, tuneSpec(base, seed, arm), true);
  }

  /** Reuses, resumes or trains {@code spec} in {@code dir} ({@code --fresh}: always trains). */
  private void train(Path dir, TrainingConfig spec) throws IOException {
    train(dir, spec, options.fresh);
  }

  private void train(Path dir, TrainingConfig spec, boolean fresh) throws IOException {
    TrainingRuns.Result result = WorldRuns.runs(options.world.world()).reuseOrTrain(spec, dir, fresh, TrainCommand.events(out));
    if (result.outcome() != TrainingRuns.Outcome.REUSED) {
      TrainCommand.report(out, result);
    }
  }

  private JsonNode schedule() throws IOException {
    try {
      return StageSchedule.fromJson(Files.readString(options.schedule)).toJson();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(options.schedule + ": " + e.getMessage(), e);
    }
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
