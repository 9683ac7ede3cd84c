package org.aia4j.cli;

import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.aia4j.api.io.AtomicDirectory;
import org.aia4j.evaluation.geneval.GenEvalMetadata;
import org.aia4j.evaluation.geneval.GenEvalOracle;
import org.aia4j.evaluation.geneval.GenEvalScorer;
import org.aia4j.evaluation.geneval.GenEvalSuite;
import org.aia4j.evaluation.geneval.GenEvalSummary;
import org.aia4j.evaluation.io.JsonLines;
import org.aia4j.evaluation.report.ReportOptions;
import org.aia4j.evaluation.run.EvalSummary;
import org.aia4j.evaluation.world.World;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aia quickstart}: the main loop of aia4j on a world (shapes by default), end to end.
 *
 * <ol>
 *   <li>A self-check of the benchmarks: oracle images must score the world's floor (1.0 with the
 *       shapes world's exact judge, 0.95 with the fashion world's learned one).
 *   <li>A shared base model trained once without AIA (cached in {@code OUT/base}: a re-run with
 *       the same settings reuses it, an interrupted one resumes it).
 *   <li>Two fine-tunes of that base with identical data, seed and budget: {@code baseline} (next-token
 *       loss only) and {@code aia} (plus the AIA loss), as the paper fine-tunes a pretrained model.
 *   <li>Both evaluated on the GenEval-style and MMBench-style suites (on ONNX Runtime).
 *   <li>A comparison table here and {@code OUT/report.html} with the plots.
 * </ol>
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
    description = "Train a unified model with and without AIA on a world (--world), evaluate both, write a report.")
final class QuickstartCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Inject
  ModelLoading loading;

  @Option(names = "--out", defaultValue = "quickstart", description = "Output folder (default: ${DEFAULT-VALUE}).")
  Path out;

  @Mixin
  SeedOption seed = new SeedOption(0);

  @Mixin
  LoopOptions loop;

  @Option(names = "--seeds", split = ",", description = "Repeat the whole loop for these seeds (OUT/seed-N each) "
      + "and write the mean and spread to OUT/experiment.md.")
  List<Long> seeds;

  private ArmRunner runner;

  @Override
  public Integer call() throws Exception {
    runner = new ArmRunner(loop, spec.commandLine().getOut(), spec.commandLine().getErr());
    if (seeds != null && !seeds.isEmpty()) {
      return experiment();
    }
    loopOnce(out, seed.seed());
    return 0;
  }

  /** The whole loop for one seed, into {@code out}. */
  private void loopOnce(Path out, long seed) throws Exception {
    PrintWriter console = spec.commandLine().getOut();
    long started = System.nanoTime();
    Map<String, Object> timings = new LinkedHashMap<>();

    stage(console, 1, "Benchmark self-check: oracle images of the GenEval-style suite");
    double oracle = selfCheck();
    double floor = loop.world.world().oracleFloor();
    console.printf(Locale.ROOT, "  oracle GenEval-style overall %.3f (must be at least %.3f)%n", oracle, floor);
    if (oracle < floor) {
      throw new IllegalStateException("The benchmark self-check failed: oracle images scored " + oracle
          + ", below the " + loop.world.name() + " world's floor " + floor);
    }
    timings.put("self_check_s", seconds(started));

    stage(console, 2, "Shared base model: " + loop.preset() + ", " + loop.baseSteps + " steps, no AIA, seed " + seed);
    long t = System.nanoTime();
    Path base = out.resolve("base");
    runner.base(base, seed);
    timings.put("base_s", seconds(t));

    List<String> arms = List.of("baseline", "aia");
    for (int i = 0; i < arms.size(); i++) {
      String arm = arms.get(i);
      boolean aia = arm.equals("aia");
      stage(console, 3 + i, "Fine-tune '" + arm + "' from the base: " + loop.tuneSteps + " steps, AIA "
          + (aia ? "on" : "off"));
      t = System.nanoTime();
      runner.fineTune(out.resolve(arm), base, seed, new ArmRunner.Arm(aia, null));
      timings.put(arm + "_s", seconds(t));
    }

    Map<String, EvalSummary> summaries = new LinkedHashMap<>();
    for (int i = 0; i < arms.size(); i++) {
      String arm = arms.get(i);
      stage(console, 5 + i, "Evaluate '" + arm + "' on both suites");
      t = System.nanoTime();
      // ONNX Runtime: the same predictions as DJL (tested), about ten times faster.
      summaries.put(arm, runner.evaluate(loading, out.resolve(arm), out.resolve("eval-" + arm), seed, "onnx"));
      timings.put("eval_" + arm + "_s", seconds(t));
    }

    stage(console, 7, "Report");
    ReportCommand.write(List.of(out.resolve("eval-baseline"), out.resolve("eval-aia")), out.resolve("report.html"),
        ReportOptions.DEFAULTS.withTitle("aia4j quickstart: AIA vs baseline (" + loop.preset() + ")"), console);
    timings.put("total_s", seconds(started));

    printTable(console, summaries);
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("preset", loop.preset());
    summary.put("world", loop.world.name());
    summary.put("seed", seed);
    summary.put("base_steps", loop.baseSteps);
    summary.put("tune_steps", loop.tuneSteps);
    summary.put("tune_learning_rate", loop.tuneLearningRate);
    summary.put("oracle_geneval", oracle);
    summaries.forEach((arm, s) -> summary.put(arm, Map.of(
        "geneval", value(s, "geneval", r -> Optional.of(r.overall())),
        "mmbench_circular", value(s, "mmbench", r -> Optional.of(r.overall())),
        "mmbench_vanilla", value(s, "mmbench", r -> r.number("vanilla")))));
    summary.put("seconds", timings);
    JsonLines.writeJson(out.resolve("quickstart.json"), summary);
    console.printf(Locale.ROOT, "%nReport: %s%nTotal time %.1f min%n", out.resolve("report.html").toAbsolutePath(),
        seconds(started) / 60);
    console.flush();
  }

  /** The loop once per seed, then mean and spread over seeds of every score, per arm. */
  private int experiment() throws Exception {
    List<Path> evals = new ArrayList<>();
    Map<String, Map<String, List<Double>>> metrics = new LinkedHashMap<>();
    for (long s : seeds) {
      Path dir = out.resolve("seed-" + s);
      loopOnce(dir, s);
      for (String arm : List.of("baseline", "aia")) {
        Path eval = dir.resolve("eval-" + arm);
        evals.add(eval);
        EvalSummary summary = EvalSummary.read(eval.resolve(EvalSummary.FILE_NAME));
        ArmRunner.addScores(metrics.computeIfAbsent(arm, a -> new LinkedHashMap<>()), summary, suite -> "  ");
      }
    }
    ReportCommand.write(evals, out.resolve("report.html"),
        ReportOptions.DEFAULTS.withTitle("aia4j: AIA vs baseline over seeds " + seeds), spec.commandLine().getOut());
    StringBuilder md = new StringBuilder();
    md.append("| metric | baseline | AIA | AIA - baseline |\n|---|---|---|---|\n");
    for (String metric : metrics.get("baseline").keySet()) {
      List<Double> b = metrics.get("baseline").get(metric);
      List<Double> a = metrics.get("aia").getOrDefault(metric, List.of());
      List<Double> diff = new ArrayList<>();
      for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
        diff.add(a.get(i) - b.get(i));
      }
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", metric.strip(), ArmRunner.meanStd(b),
          ArmRunner.meanStd(a), ArmRunner.meanStd(diff)));
    }
    md.append(String.format(Locale.ROOT, "%nMean +- standard deviation over seeds %s (%s, base %d steps, fine-tunes %d steps "
        + "each at peak learning rate %s, default suites, %d images per GenEval prompt). Per-seed runs in seed-N/.%n",
        seeds, loop.preset(), loop.baseSteps, loop.tuneSteps, ArmRunner.plain(loop.tuneLearningRate), loop.samples));
    org.aia4j.api.io.AtomicFiles.writeString(out.resolve("experiment.md"), md.toString());
    JsonLines.writeJson(out.resolve("experiment.json"), metrics);
    spec.commandLine().getOut().print(md);
    spec.commandLine().getOut().flush();
    return 0;
  }

  /** Oracle renders of the world's GenEval-style suite, scored: proves the judge before any model. */
  private double selfCheck() throws IOException {
    Path dir = out.resolve("self-check");
    AtomicDirectory.deleteTree(dir);
    Path metadata = dir.resolve(GenEvalMetadata.FILE_NAME);
    World world = loop.world.world();
    GenEvalMetadata.write(metadata, GenEvalSuite.generate(world.spec(), GenEvalSuite.DEFAULT_SEED));
    GenEvalOracle.render(world, metadata, dir.resolve("oracle-images"), 1, world.spec().imageSize(),
        GenEvalOracle.DEFAULT_SEED);
    GenEvalSummary summary = GenEvalScorer.score(world, dir.resolve("oracle-images"), dir.resolve("oracle-score"));
    return summary.overall();
  }

  private void printTable(PrintWriter console, Map<String, EvalSummary> summaries) {
    console.println();
    console.printf("%-26s %10s %10s%n", "", "baseline", "AIA");
    row(console, summaries, "GenEval-style overall", "geneval", r -> Optional.of(r.overall()));
    for (String tag : List.of("single_object", "two_object", "counting", "colors", "position", "color_attr")) {
      row(console, summaries, "  " + tag, "geneval", r -> Optional.ofNullable(r.breakdown().get(tag)));
    }
    row(console, summaries, "MMBench-style circular", "mmbench", r -> Optional.of(r.overall()));
    row(console, summaries, "MMBench-style vanilla", "mmbench", r -> r.number("vanilla"));
    summaries.get("aia").suite("mmbench").ifPresent(mmbench -> mmbench.breakdown().keySet().forEach(c ->
        row(console, summaries, "  " + c, "mmbench", r -> Optional.ofNullable(r.breakdown().get(c)))));
    console.flush();
  }

  private static void row(PrintWriter console, Map<String, EvalSummary> summaries, String label, String benchmark,
      Function<EvalSummary.SuiteResult, Optional<Double>> score) {
    console.printf(Locale.ROOT, "%-26s %10.3f %10.3f%n", label, value(summaries.get("baseline"), benchmark, score),
        value(summaries.get("aia"), benchmark, score));
  }

  /** A score of a summary, NaN when the run has no such suite or score. */
  private static double value(EvalSummary summary, String benchmark,
      Function<EvalSummary.SuiteResult, Optional<Double>> score) {
    return summary.suite(benchmark).flatMap(score).orElse(Double.NaN);
  }

  private static void stage(PrintWriter console, int number, String what) {
    console.printf("%n[%d/7] %s%n", number, what);
    console.flush();
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
