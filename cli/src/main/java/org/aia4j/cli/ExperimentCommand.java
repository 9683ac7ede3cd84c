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
import java.util.concurrent.Callable;
import org.aia4j.api.io.AtomicFiles;
import org.aia4j.api.model.Task;
import org.aia4j.djl.checkpoint.Checkpoint;
import org.aia4j.djl.checkpoint.CheckpointInfo;
import org.aia4j.evaluation.io.JsonLines;
import org.aia4j.evaluation.report.ReportOptions;
import org.aia4j.evaluation.run.EvalSummary;
import org.aia4j.inference.model.ModelConfig;
import org.aia4j.inference.profile.AlignmentCurve;
import org.aia4j.inference.profile.MutualKnn;
import org.aia4j.loss.AiaLossProvider;
import org.aia4j.loss.StageSchedule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aia experiment}: AIA and UniFork side by side on the same data, budget and seeds.
 *
 * <p>Per seed: one shared base trained without AIA (cached in {@code OUT/seed-N/base}), then one
 * fine-tune of it per arm with the same data, seed and steps: {@code baseline} (next-token loss),
 * {@code aia} (plus the AIA loss), {@code unifork} (the base forked after {@code --fork} layers,
 * its generation branch a copy of the base's deep layers, as UniFork initialises it) and {@code
 * unifork+aia} (both: the AIA loss per branch). Each arm is evaluated on both suites (with the
 * interaction curves, per branch for a forked arm) and its modality alignment is measured per task.
 * Then {@code OUT/experiment.md} and {@code experiment.json}: every score per arm with mean and
 * spread over seeds, parameter counts, and the curves per arm; {@code OUT/report-seed-N.html}.
 */
@Command(name = "experiment", mixinStandardHelpOptions = true,
    description = "AIA vs UniFork (and both, and neither): fine-tune one shared base per seed in every arm with the "
        + "same data, steps and seed; evaluate both suites, interaction and alignment curves; mean and spread over seeds.")
final class ExperimentCommand implements Callable<Integer> {
  /** The arms this command knows, in the order they are reported. */
  static final List<String> ARMS = List.of("baseline", "aia", "unifork", "unifork+aia");

  @Spec
  CommandSpec spec;

  @Inject
  ModelLoading loading;

  @Option(names = "--arms", split = ",", defaultValue = "baseline,aia,unifork,unifork+aia",
      description = "Arms to run, from baseline, aia, unifork, unifork+aia (default: ${DEFAULT-VALUE}).")
  List<String> arms;

  @Option(names = "--seeds", split = ",", defaultValue = "0,1,2", description = "Seeds (default: ${DEFAULT-VALUE}).")
  List<Long> seeds;

  @Option(names = "--fork", description = "Shared layers of the UniFork arms (default: half the preset's depth, as UniFork).")
  Integer fork;

  @Option(names = "--align-samples", defaultValue = "256", description = "Samples of the alignment analysis (default: ${DEFAULT-VALUE}).")
  int alignSamples;

  @Option(names = "--backend", defaultValue = "onnx", description = "Backend of the evaluations (default: ${DEFAULT-VALUE}).")
  String backend;

  @Option(names = "--out", required = true, description = "Output folder.")
  Path out;

  @Mixin
  LoopOptions loop;

  private ArmRunner runner;

  @Override
  public Integer call() throws Exception {
    for (String arm : arms) {
      if (!ARMS.contains(arm)) {
        throw new IllegalArgumentException("Unknown arm '" + arm + "'. Known arms: " + String.join(", ", ARMS));
      }
    }
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("--seeds needs at least one seed");
    }
    int layers = ModelConfig.preset(loop.preset()).layers();
    int shared = fork == null ? layers / 2 : fork;
    if (shared < 0 || shared >= layers) {
      throw new IllegalArgumentException("--fork must be in [0, " + (layers - 1) + "] for the " + layers + "-layer '"
          + loop.preset() + "' preset (the number of shared layers), got " + shared);
    }
    PrintWriter console = spec.commandLine().getOut();
    runner = new ArmRunner(loop, console, spec.commandLine().getErr());
    long started = System.nanoTime();
    Map<String, Arm> results = new LinkedHashMap<>();
    arms.forEach(a -> results.put(a, new Arm()));
    for (long seed : seeds) {
      Path dir = out.resolve("seed-" + seed);
      Path base = dir.resolve("base");
      console.printf("%n== seed %d: shared base (%s, %d steps, no AIA)%n", seed, loop.preset(), loop.baseSteps);
      console.flush();
      runner.base(base, seed);
      List<Path> reportInputs = new ArrayList<>();
      for (String arm : arms) {
        boolean aia = arm.endsWith("aia");
        Integer armFork = arm.startsWith("unifork") ? shared : null;
        console.printf("%n== seed %d, arm %s: %d steps from the base, AIA %s%s%n", seed, arm, loop.tuneSteps,
            aia ? "on" : "off", armFork == null ? "" : ", forked after layer " + armFork);
        console.flush();
        Path checkpoint = dir.resolve(arm.replace('+', '-'));
        runner.fineTune(checkpoint, base, seed, new ArmRunner.Arm(aia, armFork));
        Path eval = dir.resolve("eval-" + arm.replace('+', '-'));
        EvalSummary summary = runner.evaluate(loading, checkpoint, eval, seed, backend);
        reportInputs.add(eval);
        Arm result = results.get(arm);
        collect(result, summary, checkpoint);
        for (Task task : Task.values()) {
          Path file = dir.resolve("align-" + arm.replace('+', '-') + "-" + task.shortName() + ".json");
          AlignmentCurve curve = AlignCommand.align(checkpoint, task, alignSamples, MutualKnn.DEFAULT_K, file);
          reportInputs.add(file);
          result.alignment.computeIfAbsent(task.shortName(), t -> new ArrayList<>())
              .add(curve.perLayer().stream().mapToDouble(Double::doubleValue).toArray());
        }
      }
      ReportCommand.write(reportInputs, out.resolve("report-seed-" + seed + ".html"),
          ReportOptions.DEFAULTS.withTitle("aia4j: AIA vs UniFork, seed " + seed + " (" + loop.preset() + ")"), console);
    }
    double minutes = (System.nanoTime() - started) / 60e9;
    String md = markdown(results, shared, minutes);
    AtomicFiles.writeString(out.resolve("experiment.md"), md);
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("preset", loop.preset());
    summary.put("fork", shared);
    summary.put("seeds", seeds);
    summary.put("base_steps", loop.baseSteps);
    summary.put("tune_steps", loop.tuneSteps);
    summary.put("tune_learning_rate", loop.tuneLearningRate);
    summary.put("backend", backend);
    summary.put("minutes", minutes);
    summary.put("arms", results);
    JsonLines.writeJson(out.resolve("experiment.json"), summary);
    console.print(md);
    console.flush();
    return 0;
  }

  /** What one arm gave over the seeds. */
  static final class Arm {
    public final Map<String, List<Double>> scores = new LinkedHashMap<>();
    public final Map<String, List<double[]>> interaction = new LinkedHashMap<>();
    public final Map<String, List<Double>> targetDeviation = new LinkedHashMap<>();
    public final Map<String, List<double[]>> alignment = new LinkedHashMap<>();
    public long parameters;
    public long parametersPerTask;
  }

  private void collect(Arm arm, EvalSummary summary, Path checkpoint) throws IOException {
    // Tags and categories are keyed by suite: both suites have a "counting".
    ArmRunner.addScores(arm.scores, summary, suite -> suite + "/");
    CheckpointInfo info = Checkpoint.read(checkpoint);
    arm.parameters = info.model().parameterCount();
    arm.parametersPerTask = info.model().parametersPerTask();
    StageSchedule schedule = new AiaLossProvider().createAia(info.training().schedule()).schedule();
    for (Task task : Task.values()) {
      var measured = summary.curve(task);
      if (measured.isEmpty()) {
        continue;
      }
      double[] curve = measured.get().mean().stream().mapToDouble(Double::doubleValue).toArray();
      arm.interaction.computeIfAbsent(task.shortName(), t -> new ArrayList<>()).add(curve);
      arm.targetDeviation.computeIfAbsent(task.shortName(), t -> new ArrayList<>())
          .add(schedule.resolve(task, curve.length).meanAbsoluteDeviation(curve));
    }
  }

  private String markdown(Map<String, Arm> results, int shared, double minutes) {
    StringBuilder md = new StringBuilder();
    List<String> names = new ArrayList<>(results.keySet());
    md.append("| metric |");
    names.forEach(n -> md.append(' ').append(n).append(" |"));
    md.append("\n|---|");
    names.forEach(n -> md.append("---|"));
    md.append('\n');
    row(md, "parameters (total)", names, n -> String.format(Locale.ROOT, "%,d", results.get(n).parameters));
    row(md, "parameters per task's forward", names,
        n -> String.format(Locale.ROOT, "%,d", results.get(n).parametersPerTask));
    for (String metric : results.get(names.get(0)).scores.keySet()) {
      row(md, metric.contains("/") ? "&nbsp;&nbsp;" + metric.substring(metric.indexOf('/') + 1) : metric, names,
          n -> ArmRunner.meanStd(results.get(n).scores.getOrDefault(metric, List.of())));
    }
    for (Task task : Task.values()) {
      row(md, "mean abs(I_l - T_l), " + task.shortName(), names,
          n -> ArmRunner.meanStd(results.get(n).targetDeviation.getOrDefault(task.shortName(), List.of())));
    }
    md.append(String.format(Locale.ROOT, "%nMean +- standard deviation over seeds %s (preset %s, shared base %d steps, "
        + "then %d fine-tuning steps per arm at peak learning rate %s; UniFork arms forked after layer %d of %d; "
        + "evaluated on the %s backend, %d images per GenEval prompt%s). %.1f minutes in all.%n", seeds, loop.preset(),
        loop.baseSteps, loop.tuneSteps, ArmRunner.plain(loop.tuneLearningRate), shared,
        ModelConfig.preset(loop.preset()).layers(), backend, loop.samples, loop.limit > 0 ? ", first " + loop.limit + " items" : "", minutes));
    for (String kind : List.of("interaction", "alignment")) {
      for (Task task : Task.values()) {
        md.append(String.format(Locale.ROOT, "%n%s per layer, %s (mean over seeds)%n%n| arm | layers |%n|---|---|%n",
            kind.equals("interaction") ? "Interaction I_l" : "Modality alignment (mutual k-NN, k = 10)",
            task.shortName()));
        for (String n : names) {
          Arm arm = results.get(n);
          List<double[]> curves = (kind.equals("interaction") ? arm.interaction : arm.alignment)
              .getOrDefault(task.shortName(), List.of());
          md.append("| ").append(n).append(" | ").append(meanCurve(curves)).append(" |\n");
        }
      }
    }
    return md.toString();
  }

  private static void row(StringBuilder md, String label, List<String> names,
      java.util.function.Function<String, String> cell) {
    md.append("| ").append(label).append(" |");
    names.forEach(n -> md.append(' ').append(cell.apply(n)).append(" |"));
    md.append('\n');
  }

  private static String meanCurve(List<double[]> curves) {
    if (curves.isEmpty()) {
      return "-";
    }
    StringBuilder text = new StringBuilder();
    for (int l = 0; l < curves.get(0).length; l++) {
      double sum = 0;
      for (double[] c : curves) {
        sum += c[l];
      }
      text.append(l == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", sum / curves.size()));
    }
    return text.toString();
  }
}
