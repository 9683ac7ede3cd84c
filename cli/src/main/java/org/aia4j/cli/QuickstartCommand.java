package org.aia4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.aia4j.api.io.AtomicDirectory;
import org.aia4j.djl.checkpoint.Checkpoint;
import org.aia4j.djl.checkpoint.CheckpointInfo;
import org.aia4j.evaluation.geneval.GenEvalMetadata;
import org.aia4j.evaluation.geneval.GenEvalOracle;
import org.aia4j.evaluation.geneval.GenEvalScorer;
import org.aia4j.evaluation.geneval.GenEvalSuite;
import org.aia4j.evaluation.geneval.GenEvalSummary;
import org.aia4j.evaluation.io.JsonLines;
import org.aia4j.evaluation.world.WorldSpec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aia quickstart}: the main loop of aia4j on the embedded world, end to end.
 *
 * <ol>
 *   <li>A self-check of the benchmarks: oracle images must score 1.0.
 *   <li>A shared base model trained once without AIA (cached in {@code OUT/base}: a re-run with
 *       the same settings reuses it, an interrupted one resumes it).
 *   <li>Two fine-tunes of that base with identical data, seed and budget: {@code baseline} (next-token
 *       loss only) and {@code aia} (plus the AIA loss), as the paper fine-tunes a pretrained model.
 *   <li>Both evaluated on the GenEval-style and MMBench-style suites (on ONNX Runtime).
 *   <li>A comparison table here and {@code OUT/report.html} with the plots.
 * </ol>
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
    description = "Train a unified model with and without AIA on the embedded world, evaluate both, write a report.")
final class QuickstartCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--out", defaultValue = "quickstart", description = "Output folder (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--preset", defaultValue = "small", description = "Model preset (default: ${DEFAULT-VALUE}).")
  String preset;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of both runs (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--base-steps", defaultValue = "2400", description = "Steps of the shared base (default: ${DEFAULT-VALUE}).")
  int baseSteps;

  @Option(names = "--tune-steps", defaultValue = "500", description = "Steps of each fine-tune (default: ${DEFAULT-VALUE}).")
  int tuneSteps;

  @Option(names = "--tune-learning-rate", defaultValue = "5e-4", description = "Peak learning rate of each "
      + "fine-tune (default: ${DEFAULT-VALUE}; the base uses the preset's). Restarting at the base's peak (2e-3) "
      + "undid part of what the base had learnt.")
  double tuneLearningRate;

  @Option(names = "--schedule", description = "AIA stage schedule JSON (default: the paper's, by relative depth).")
  Path schedule;

  @Option(names = "--limit", defaultValue = "0", description = "Evaluate only the first N prompts/questions; 0 = all.")
  int limit;

  @Option(names = "--samples", defaultValue = "4", description = "Images per GenEval prompt (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--fresh", description = "Retrain everything instead of reusing finished runs in --out.")
  boolean fresh;

  @Option(names = "--seeds", split = ",", description = "Repeat the whole loop for these seeds (OUT/seed-N each) "
      + "and write the mean and spread to OUT/experiment.md.")
  List<Long> seeds;

  private final ObjectMapper json = new ObjectMapper();

  @Override
  public Integer call() throws Exception {
    if (seeds != null && !seeds.isEmpty()) {
      return experiment();
    }
    PrintWriter console = spec.commandLine().getOut();
    long started = System.nanoTime();
    Map<String, Object> timings = new LinkedHashMap<>();

    stage(console, 1, "Benchmark self-check: oracle images of the GenEval-style suite");
    double oracle = selfCheck();
    console.printf(Locale.ROOT, "  oracle GenEval-style overall %.3f (must be 1.000)%n", oracle);
    if (oracle < 0.99) {
      throw new IllegalStateException("The benchmark self-check failed: oracle images scored " + oracle);
    }
    timings.put("self_check_s", seconds(started));

    stage(console, 2, "Shared base model: " + preset + ", " + baseSteps + " steps, no AIA, seed " + seed);
    long t = System.nanoTime();
    Path base = out.resolve("base");
    train(base, List.of("--aia", "off", "--steps", Integer.toString(baseSteps)), baseSteps);
    timings.put("base_s", seconds(t));

    List<String> arms = List.of("baseline", "aia");
    for (int i = 0; i < arms.size(); i++) {
      String arm = arms.get(i);
      stage(console, 3 + i, "Fine-tune '" + arm + "' from the base: " + tuneSteps + " steps, AIA "
          + (arm.equals("aia") ? "on" : "off"));
      t = System.nanoTime();
      List<String> args = new ArrayList<>(List.of("--aia", arm.equals("aia") ? "on" : "off", "--steps",
          Integer.toString(tuneSteps), "--learning-rate", Double.toString(tuneLearningRate), "--init",
          base.toString()));
      if (schedule != null) {
        args.addAll(List.of("--schedule", schedule.toString()));
      }
      train(out.resolve(arm), args, tuneSteps);
      timings.put(arm + "_s", seconds(t));
    }

    for (int i = 0; i < arms.size(); i++) {
      String arm = arms.get(i);
      stage(console, 5 + i, "Evaluate '" + arm + "' on both suites");
      t = System.nanoTime();
      Path evalDir = out.resolve("eval-" + arm);
      AtomicDirectory.deleteTree(evalDir);
      // ONNX Runtime: the same predictions as DJL (tested), about ten times faster.
      run("eval", "--checkpoint", out.resolve(arm).toString(), "--backend", "onnx", "--out", evalDir.toString(),
          "--limit", Integer.toString(limit), "--samples", Integer.toString(samples), "--seed", Long.toString(seed));
      timings.put("eval_" + arm + "_s", seconds(t));
    }

    stage(console, 7, "Report");
    run("report", out.resolve("eval-baseline").toString(), out.resolve("eval-aia").toString(), "--out",
        out.resolve("report.html").toString(), "--title", "aia4j quickstart: AIA vs baseline (" + preset + ")");
    timings.put("total_s", seconds(started));

    Map<String, JsonNode> summaries = new LinkedHashMap<>();
    for (String arm : arms) {
      summaries.put(arm, json.readTree(out.resolve("eval-" + arm).resolve("summary.json").toFile()));
    }
    printTable(console, summaries);
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("preset", preset);
    summary.put("seed", seed);
    summary.put("base_steps", baseSteps);
    summary.put("tune_steps", tuneSteps);
    summary.put("tune_learning_rate", tuneLearningRate);
    summary.put("oracle_geneval", oracle);
    summaries.forEach((arm, s) -> summary.put(arm, Map.of(
        "geneval", s.path("geneval").path("overall").asDouble(Double.NaN),
        "mmbench_circular", s.path("mmbench").path("overall").asDouble(Double.NaN),
        "mmbench_vanilla", s.path("mmbench").path("vanilla").asDouble(Double.NaN))));
    summary.put("seconds", timings);
    JsonLines.writeJson(out.resolve("quickstart.json"), summary);
    console.printf(Locale.ROOT, "%nReport: %s%nTotal time %.1f min%n", out.resolve("report.html").toAbsolutePath(),
        seconds(started) / 60);
    console.flush();
    return 0;
  }

  /** The loop once per seed, then mean and spread over seeds of every score, per arm. */
  private int experiment() throws Exception {
    List<Path> evals = new ArrayList<>();
    Map<String, Map<String, List<Double>>> metrics = new LinkedHashMap<>();
    for (long s : seeds) {
      Path dir = out.resolve("seed-" + s);
      List<String> args = new ArrayList<>(List.of("quickstart", "--out", dir.toString(), "--preset", preset, "--seed",
          Long.toString(s), "--base-steps", Integer.toString(baseSteps), "--tune-steps", Integer.toString(tuneSteps),
          "--tune-learning-rate", Double.toString(tuneLearningRate), "--limit", Integer.toString(limit), "--samples",
          Integer.toString(samples)));
      if (schedule != null) {
        args.addAll(List.of("--schedule", schedule.toString()));
      }
      if (fresh) {
        args.add("--fresh");
      }
      run(args.toArray(String[]::new));
      for (String arm : List.of("baseline", "aia")) {
        Path eval = dir.resolve("eval-" + arm);
        evals.add(eval);
        JsonNode summary = json.readTree(eval.resolve("summary.json").toFile());
        Map<String, List<Double>> armMetrics = metrics.computeIfAbsent(arm, a -> new LinkedHashMap<>());
        collect(armMetrics, "GenEval-style overall", summary.at("/geneval/overall"));
        summary.at("/geneval/tasks").fields().forEachRemaining(e -> collect(armMetrics, "  " + e.getKey(), e.getValue()));
        collect(armMetrics, "MMBench-style circular", summary.at("/mmbench/overall"));
        collect(armMetrics, "MMBench-style vanilla", summary.at("/mmbench/vanilla"));
        summary.at("/mmbench/categories").fields().forEachRemaining(e -> collect(armMetrics, "  " + e.getKey(), e.getValue()));
      }
    }
    List<String> args = new ArrayList<>(List.of("report"));
    evals.forEach(e -> args.add(e.toString()));
    args.addAll(List.of("--out", out.resolve("report.html").toString(), "--title",
        "aia4j: AIA vs baseline over seeds " + seeds));
    run(args.toArray(String[]::new));
    StringBuilder md = new StringBuilder();
    md.append("| metric | baseline | AIA | AIA - baseline |\n|---|---|---|---|\n");
    for (String metric : metrics.get("baseline").keySet()) {
      List<Double> b = metrics.get("baseline").get(metric);
      List<Double> a = metrics.get("aia").getOrDefault(metric, List.of());
      List<Double> diff = new ArrayList<>();
      for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
        diff.add(a.get(i) - b.get(i));
      }
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", metric.strip(), meanStd(b), meanStd(a), meanStd(diff)));
    }
    md.append(String.format(Locale.ROOT, "%nMean +- standard deviation over seeds %s (%s, base %d steps, fine-tunes %d steps "
        + "each at peak learning rate %s, default suites, %d images per GenEval prompt). Per-seed runs in seed-N/.%n",
        seeds, preset, baseSteps, tuneSteps, tuneLearningRate, samples));
    org.aia4j.api.io.AtomicFiles.writeString(out.resolve("experiment.md"), md.toString());
    JsonLines.writeJson(out.resolve("experiment.json"), metrics);
    spec.commandLine().getOut().print(md);
    spec.commandLine().getOut().flush();
    return 0;
  }

  private static void collect(Map<String, List<Double>> into, String metric, JsonNode value) {
    if (value != null && value.isNumber()) {
      into.computeIfAbsent(metric, m -> new ArrayList<>()).add(value.asDouble());
    }
  }

  private static String meanStd(List<Double> values) {
    if (values.isEmpty()) {
      return "-";
    }
    double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    double var = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum() / Math.max(1, values.size() - 1);
    return String.format(Locale.ROOT, "%.3f +- %.3f", mean, Math.sqrt(var));
  }

  /** Oracle renders of the default GenEval-style suite, scored: proves the scorer before any model. */
  private double selfCheck() throws IOException {
    Path dir = out.resolve("self-check");
    AtomicDirectory.deleteTree(dir);
    Path metadata = dir.resolve(GenEvalMetadata.FILE_NAME);
    GenEvalMetadata.write(metadata, GenEvalSuite.generate(WorldSpec.standard(), GenEvalSuite.DEFAULT_SEED));
    GenEvalOracle.render(metadata, dir.resolve("oracle-images"), 1, 32, GenEvalOracle.DEFAULT_SEED);
    GenEvalSummary summary = GenEvalScorer.score(dir.resolve("oracle-images"), dir.resolve("oracle-score"));
    return summary.overall();
  }

  /**
   * Trains into {@code dir} unless a finished run with the same settings is there: reuses it, or
   * resumes it if it stopped early.
   */
  private void train(Path dir, List<String> settings, int steps) throws Exception {
    List<String> args = new ArrayList<>(List.of("train", "--preset", preset, "--seed", Long.toString(seed),
        "--out", dir.toString()));
    args.addAll(settings);
    if (Files.isDirectory(dir) && !fresh) {
      CheckpointInfo info = reusable(dir, settings);
      if (info != null && info.step() >= steps) {
        spec.commandLine().getOut().printf("  reusing %s (step %d; --fresh retrains)%n", dir, info.step());
        return;
      }
      if (info != null) {
        run("train", "--out", dir.toString(), "--resume");
        return;
      }
    }
    AtomicDirectory.deleteTree(dir);
    run(args.toArray(String[]::new));
  }

  /** The checkpoint in {@code dir} if it was made with these settings, else null. */
  private CheckpointInfo reusable(Path dir, List<String> settings) {
    try {
      CheckpointInfo info = Checkpoint.read(dir);
      boolean aia = settings.get(settings.indexOf("--aia") + 1).equals("on");
      boolean same = info.training().preset().equals(preset) && info.training().seed() == seed
          && info.training().aia() == aia
          && info.training().steps() == Integer.parseInt(settings.get(settings.indexOf("--steps") + 1))
          && (settings.contains("--init") == info.json().has("initialized_from"))
          && (!settings.contains("--learning-rate") || info.training().learningRate()
              == Double.parseDouble(settings.get(settings.indexOf("--learning-rate") + 1)))
          && info.json().path("data").asText().equals(WorldRuns.data(seed).describe());
      return same ? info : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private void run(String... args) {
    CommandLine cli = AiaCommand.commandLine();
    cli.setOut(spec.commandLine().getOut());
    cli.setErr(spec.commandLine().getErr());
    int exit = cli.execute(args);
    if (exit != 0) {
      throw new IllegalStateException("aia " + String.join(" ", args) + " failed (exit " + exit + ")");
    }
  }

  private void printTable(PrintWriter console, Map<String, JsonNode> summaries) {
    console.println();
    console.printf("%-26s %10s %10s%n", "", "baseline", "AIA");
    row(console, summaries, "GenEval-style overall", "/geneval/overall");
    for (String tag : List.of("single_object", "two_object", "counting", "colors", "position", "color_attr")) {
      row(console, summaries, "  " + tag, "/geneval/tasks/" + tag);
    }
    row(console, summaries, "MMBench-style circular", "/mmbench/overall");
    row(console, summaries, "MMBench-style vanilla", "/mmbench/vanilla");
    JsonNode categories = summaries.get("aia").at("/mmbench/categories");
    categories.fieldNames().forEachRemaining(c -> row(console, summaries, "  " + c, "/mmbench/categories/" + c));
    console.flush();
  }

  private static void row(PrintWriter console, Map<String, JsonNode> summaries, String label, String pointer) {
    console.printf(Locale.ROOT, "%-26s %10.3f %10.3f%n", label, summaries.get("baseline").at(pointer).asDouble(Double.NaN),
        summaries.get("aia").at(pointer).asDouble(Double.NaN));
  }

  private static void stage(PrintWriter console, int number, String what) {
    console.printf("%n[%d/7] %s%n", number, what);
    console.flush();
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
