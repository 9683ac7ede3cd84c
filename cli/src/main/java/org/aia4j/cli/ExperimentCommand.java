package org.aia4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.aia4j.api.checkpoint.Manifest;
import org.aia4j.api.interaction.AnswerQueries;
import org.aia4j.api.interaction.InteractionRoles;
import org.aia4j.api.io.AtomicFiles;
import org.aia4j.api.model.InteractionProfile;
import org.aia4j.api.model.Task;
import org.aia4j.djl.checkpoint.Checkpoint;
import org.aia4j.djl.checkpoint.CheckpointInfo;
import org.aia4j.djl.train.TaskMix;
import org.aia4j.djl.train.TrainingConfig;
import org.aia4j.evaluation.io.JsonLines;
import org.aia4j.evaluation.report.ReportOptions;
import org.aia4j.evaluation.run.CurveOptions;
import org.aia4j.evaluation.run.EvalSettings;
import org.aia4j.evaluation.run.EvalSummary;
import org.aia4j.evaluation.run.SuiteOptions;
import org.aia4j.inference.model.ModelConfig;
import org.aia4j.inference.profile.AlignmentCurve;
import org.aia4j.inference.profile.MutualKnn;
import org.aia4j.loss.AiaLossProvider;
import org.aia4j.loss.AiaOptions;
import org.aia4j.loss.StageSchedule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aia experiment}: the conflict between the tasks and what AIA and UniFork do about it, on
 * the same data, budget and seeds (docs/experiments/aia-conflict.md).
 *
 * <p>Per seed, in {@code OUT/seed-N/}:
 *
 * <ol>
 *   <li>{@code base}: a shared base of both tasks without AIA; {@code expert-und-base} and
 *       {@code expert-gen-base}: one task each, with the per-task budget the base gives that task
 *       (its share of the base's sequences, at the full batch), and each expert fine-tuned like
 *       the arms ({@code expert-und}, {@code expert-gen});
 *   <li>{@code targets-*.json}: the experts' interaction curves ({@code aia profile}) made into
 *       per-layer targets ({@code aia targets}), once per query-set variant the arms use;
 *   <li>the arms, each a fine-tune of the shared base: {@code baseline} (no AIA), {@code
 *       aia-experts} (AIA toward the experts' targets), {@code aia-paper} (toward the paper's),
 *       and the ablations of {@code aia-experts}: {@code aia-batch-mean} (Huber of the batch
 *       mean), {@code aia-answer-predictors} (the rows predicting the answer as queries, targets
 *       measured so) and {@code aia-bos-off} (BOS not a key, targets measured so); {@code
 *       unifork} and {@code unifork+aia}: fine-tunes of a base forked from its first step;
 *   <li>every arm on both suites at each suite seed, every expert on its own task's suite.
 * </ol>
 *
 * Then {@code OUT/experiment.md} and {@code experiment.json}: scores, the conflict (unified minus
 * expert, per task), each arm minus the baseline and each ablation minus {@code aia-experts} as
 * paired differences over seeds with 95% intervals, the suite-seed and rerun noise floors, and
 * the curves with their per-sample spread against the targets.
 */
@Command(name = "experiment", mixinStandardHelpOptions = true,
    description = "The conflict experiment: experts, a shared baseline, AIA toward the experts' and the paper's "
        + "targets, UniFork and UniFork + AIA, the AIA ablations; paired differences over seeds with 95% intervals.")
final class ExperimentCommand implements Callable<Integer> {
  /** The arms this command knows, in the order they are reported. */
  static final List<String> ARMS = List.of("baseline", "aia-experts", "aia-paper", "unifork", "unifork+aia",
      "aia-batch-mean", "aia-answer-predictors", "aia-bos-off");

  /** Tasks an expert is trained on, by the suite that scores it. */
  private static final Map<Task, String> EXPERT_SUITE = Map.of(Task.UNDERSTANDING, "mmbench", Task.GENERATION, "geneval");

  /** Sampling seed of an evaluation: training seed + this x suite seed. */
  static final long SAMPLING_SEED_STRIDE = 1000;

  /** The primary metric: the mean of the GenEval-style overall and the MMBench-style circular score. */
  static final String TASK_AVERAGE = "task average";

  private static final Map<String, String> METRIC_OF_SUITE = Map.of("geneval", "GenEval-style overall", "mmbench",
      "MMBench-style circular");

  @Spec
  CommandSpec spec;

  @Inject
  ModelLoading loading;

  @Option(names = "--arms", split = ",", defaultValue = "baseline,aia-experts,aia-paper,unifork,unifork+aia,"
      + "aia-batch-mean,aia-answer-predictors,aia-bos-off", description = "Arms to run (default: ${DEFAULT-VALUE}).")
  List<String> arms;

  @Option(names = "--seeds", split = ",", defaultValue = "0,1,2,3,4", description = "Training seeds (default: ${DEFAULT-VALUE}).")
  List<Long> seeds;

  @Option(names = "--suite-seeds", split = ",", defaultValue = "1,2", description = "Seeds of the embedded suites: each "
      + "arm is scored on every suite drawn, and the scores averaged (default: ${DEFAULT-VALUE}).")
  List<Long> suiteSeeds;

  @Option(names = "--geneval-per-tag", defaultValue = "40", description = "GenEval-style prompts per tag and suite seed "
      + "(default: ${DEFAULT-VALUE}).")
  int genevalPerTag;

  @Option(names = "--mmbench-questions", defaultValue = "500", description = "MMBench-style questions per suite seed "
      + "(default: ${DEFAULT-VALUE}).")
  int mmbenchQuestions;

  @Option(names = "--fork", description = "Shared layers of the UniFork arms (default: half the preset's depth, as UniFork).")
  Integer fork;

  @Option(names = "--profile-samples", defaultValue = "256", description = "Samples of each expert profile (default: ${DEFAULT-VALUE}).")
  int profileSamples;

  @Option(names = "--align-samples", defaultValue = "0", description = "Samples of each arm's modality alignment "
      + "analysis (aia align) per task; 0 = none (default: ${DEFAULT-VALUE}).")
  int alignSamples;

  @Option(names = "--repeat", arity = "1", defaultValue = "true", description = "Retrain the first seed's baseline in a "
      + "second folder and compare weights and scores: the rerun noise floor (default: ${DEFAULT-VALUE}).")
  boolean repeat;

  @Option(names = "--backend", defaultValue = "onnx", description = "Backend of the evaluations (default: ${DEFAULT-VALUE}).")
  String backend;

  @Option(names = "--out", required = true, description = "Output folder.")
  Path out;

  @Mixin
  LoopOptions loop;

  private ArmRunner runner;

  /** What one arm (or expert) gave: per metric, one value per seed, in seed order. */
  static final class Arm {
    public final Map<String, List<Double>> scores = new LinkedHashMap<>();
    public final Map<String, List<double[]>> interaction = new LinkedHashMap<>();
    public final Map<String, List<double[]>> spread = new LinkedHashMap<>();
    public final Map<String, List<Double>> targetDeviation = new LinkedHashMap<>();
    public final Map<String, List<double[]>> alignment = new LinkedHashMap<>();
    public long parameters;
    public long parametersPerTask;
  }

  @Override
  public Integer call() throws Exception {
    for (String arm : arms) {
      if (!ARMS.contains(arm)) {
        throw new IllegalArgumentException("Unknown arm '" + arm + "'. Known arms: " + String.join(", ", ARMS));
      }
    }
    if (seeds.isEmpty() || suiteSeeds.isEmpty()) {
      throw new IllegalArgumentException("--seeds and --suite-seeds need at least one seed each");
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
    Map<String, Arm> experts = new LinkedHashMap<>();
    for (Task task : Task.values()) {
      experts.put(expertName(task), new Arm());
    }
    Map<String, List<double[]>> targets = new LinkedHashMap<>();
    Map<String, Object> rerun = new LinkedHashMap<>();
    for (long seed : seeds) {
      Path dir = out.resolve("seed-" + seed);
      Path base = dir.resolve("base");
      step(console, "seed %d: shared base (%s, %d steps, no AIA)", seed, loop.preset(), loop.baseSteps);
      runner.base(base, seed);

      Map<String, JsonNode> schedules = expertTargets(dir, seed, experts, targets, console);

      Path forkedBase = dir.resolve("unifork-base");
      List<Path> reportInputs = new ArrayList<>();
      boolean forkedBaseReady = false;
      for (String arm : arms) {
        boolean forked = arm.startsWith("unifork");
        if (forked && !forkedBaseReady) {
          step(console, "seed %d: UniFork base, forked after layer %d from its first step (%d steps, no AIA)", seed,
              shared, loop.baseSteps);
          runner.base(forkedBase, seed, TaskMix.BOTH, loop.baseSteps, shared);
          forkedBaseReady = true;
        }
        ArmRunner.Arm spec = arm(arm, schedules, forked ? shared : null);
        step(console, "seed %d, arm %s: %d steps from the %s base, AIA %s", seed, arm, loop.tuneSteps,
            forked ? "forked" : "shared", spec.aia() ? "on" : "off");
        Path checkpoint = dir.resolve(folder(arm));
        runner.fineTune(checkpoint, forked ? forkedBase : base, seed, spec);
        List<EvalSummary> summaries = evaluate(checkpoint, dir, folder(arm), seed, List.of("geneval", "mmbench"),
            curves(spec.lossConfig()), reportInputs);
        collect(results.get(arm), summaries, checkpoint);
        if (alignSamples > 0) {
          for (Task task : Task.values()) {
            Path file = dir.resolve("align-" + folder(arm) + "-" + task.shortName() + ".json");
            AlignmentCurve curve = AlignCommand.align(checkpoint, task, alignSamples, MutualKnn.DEFAULT_K, file);
            reportInputs.add(file);
            results.get(arm).alignment.computeIfAbsent(task.shortName(), t -> new ArrayList<>())
                .add(curve.perLayer().stream().mapToDouble(Double::doubleValue).toArray());
          }
        }
        if (repeat && arm.equals("baseline") && seed == seeds.get(0)) {
          rerun.putAll(rerun(dir, base, seed, spec, checkpoint));
        }
      }
      ReportCommand.write(reportInputs, out.resolve("report-seed-" + seed + ".html"),
          ReportOptions.DEFAULTS.withTitle("aia4j: the conflict experiment, seed " + seed + " (" + loop.preset() + ")"),
          console);
    }
    double minutes = (System.nanoTime() - started) / 60e9;
    String md = markdown(results, experts, targets, rerun, shared, minutes);
    AtomicFiles.writeString(out.resolve("experiment.md"), md);
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("preset", loop.preset());
    summary.put("world", loop.world.name());
    summary.put("fork", shared);
    summary.put("seeds", seeds);
    summary.put("suite_seeds", suiteSeeds);
    summary.put("geneval_per_tag", genevalPerTag);
    summary.put("mmbench_questions", mmbenchQuestions);
    summary.put("base_steps", loop.baseSteps);
    summary.put("tune_steps", loop.tuneSteps);
    summary.put("tune_learning_rate", loop.tuneLearningRate);
    summary.put("backend", backend);
    summary.put("minutes", minutes);
    summary.put("arms", results);
    summary.put("experts", experts);
    summary.put("targets", targets);
    summary.put("rerun", rerun);
    JsonLines.writeJson(out.resolve("experiment.json"), summary);
    console.print(md);
    console.flush();
    return 0;
  }

  // ---------------------------------------------------------------- experts and their targets

  private static String expertName(Task task) {
    return "expert-" + task.shortName();
  }

  /**
   * Trains both experts of a seed, scores each on its task's suite, and turns their curves into
   * the targets of every query-set variant: {@code default}, {@code answer-predictors}, {@code bos-off}.
   */
  private Map<String, JsonNode> expertTargets(Path dir, long seed, Map<String, Arm> experts,
      Map<String, List<double[]>> targets, PrintWriter console) throws IOException {
    TrainingConfig unified = runner.baseSpec(seed);
    Map<Task, Path> checkpoints = new LinkedHashMap<>();
    for (Task task : Task.values()) {
      // The expert sees as many sequences of its task as the unified model does, at the full batch.
      double share = (task == Task.UNDERSTANDING ? unified.understandingBatch() : unified.generationBatch())
          / (double) unified.batchSize();
      int baseSteps = Math.max(1, (int) Math.round(loop.baseSteps * share));
      int tuneSteps = Math.max(1, (int) Math.round(loop.tuneSteps * share));
      TaskMix mix = task == Task.UNDERSTANDING ? TaskMix.UNDERSTANDING : TaskMix.GENERATION;
      String name = expertName(task);
      step(console, "seed %d: %s (%d + %d steps of %s only)", seed, name, baseSteps, tuneSteps, task.shortName());
      Path expertBase = dir.resolve(name + "-base");
      runner.base(expertBase, seed, mix, baseSteps, null);
      Path checkpoint = dir.resolve(name);
      runner.fineTune(checkpoint, expertBase, seed, new ArmRunner.Arm(false, null), mix, tuneSteps);
      checkpoints.put(task, checkpoint);
      List<EvalSummary> summaries = evaluate(checkpoint, dir, name, seed, List.of(EXPERT_SUITE.get(task)),
          CurveOptions.DEFAULTS, new ArrayList<>());
      collect(experts.get(name), summaries, checkpoint);
      // An expert trains without AIA toward no targets of its own: its deviation would mean nothing.
      experts.get(name).targetDeviation.clear();
    }
    BackendOptions djl = new BackendOptions("djl");
    Map<String, InteractionProfile> profiles = new LinkedHashMap<>();
    for (var variant : List.of(
        Map.entry("und", new InteractionRoles(Task.UNDERSTANDING, true, AnswerQueries.TOKENS)),
        Map.entry("und-answer-predictors", new InteractionRoles(Task.UNDERSTANDING, true, AnswerQueries.PREDICTORS)),
        Map.entry("gen", new InteractionRoles(Task.GENERATION, true, AnswerQueries.TOKENS)),
        Map.entry("gen-bos-off", new InteractionRoles(Task.GENERATION, false, AnswerQueries.TOKENS)))) {
      InteractionRoles roles = variant.getValue();
      profiles.put(variant.getKey(), ProfileCommand.profile(loading, checkpoints.get(roles.task()), roles,
          profileSamples, djl, dir.resolve("profile-expert-" + variant.getKey() + ".json")));
      targets.computeIfAbsent(variant.getKey(), k -> new ArrayList<>())
          .add(profiles.get(variant.getKey()).mean().stream().mapToDouble(Double::doubleValue).toArray());
    }
    int layers = ModelConfig.preset(loop.preset()).layers();
    Map<String, JsonNode> schedules = new LinkedHashMap<>();
    schedules.put("default", writeTargets(dir, "default",
        StageSchedule.fromExpertProfiles(profiles.get("und"), profiles.get("gen"), layers)));
    schedules.put("answer-predictors", writeTargets(dir, "answer-predictors",
        StageSchedule.fromExpertProfiles(profiles.get("und-answer-predictors"), profiles.get("gen"), layers)));
    schedules.put("bos-off", writeTargets(dir, "bos-off",
        StageSchedule.fromExpertProfiles(profiles.get("und"), profiles.get("gen-bos-off"), layers)));
    return schedules;
  }

  private static JsonNode writeTargets(Path dir, String variant, StageSchedule schedule) throws IOException {
    AtomicFiles.writeString(dir.resolve("targets-" + variant + ".json"), schedule.toJson().toPrettyString());
    return schedule.toJson();
  }

  /** The fine-tune of one arm: whether AIA is on, the fork, and the loss config with its options. */
  private ArmRunner.Arm arm(String arm, Map<String, JsonNode> schedules, Integer armFork) {
    AiaOptions defaults = AiaOptions.DEFAULTS;
    return switch (arm) {
      // The baseline records the experts' targets (AIA off): its deviation from them is reported.
      case "baseline", "unifork" -> new ArmRunner.Arm(false, armFork,
          AiaLossProvider.withOptions(schedules.get("default"), defaults));
      case "aia-experts", "unifork+aia" -> new ArmRunner.Arm(true, armFork,
          AiaLossProvider.withOptions(schedules.get("default"), defaults));
      case "aia-paper" -> new ArmRunner.Arm(true, armFork,
          AiaLossProvider.withOptions(StageSchedule.paperDefault().toJson(), defaults));
      case "aia-batch-mean" -> new ArmRunner.Arm(true, armFork, AiaLossProvider.withOptions(schedules.get("default"),
          defaults.withAggregation(AiaOptions.Aggregation.BATCH_MEAN)));
      case "aia-answer-predictors" -> new ArmRunner.Arm(true, armFork, AiaLossProvider.withOptions(
          schedules.get("answer-predictors"), defaults.withAnswerQueries(AnswerQueries.PREDICTORS)));
      case "aia-bos-off" -> new ArmRunner.Arm(true, armFork,
          AiaLossProvider.withOptions(schedules.get("bos-off"), defaults.withBosAsText(false)));
      default -> throw new IllegalArgumentException("Unknown arm '" + arm + "'");
    };
  }

  private static CurveOptions curves(JsonNode lossConfig) {
    AiaOptions options = new AiaLossProvider().createAia(lossConfig).options();
    return new CurveOptions(options.bosAsText(), options.answerQueries());
  }

  private static String folder(String arm) {
    return arm.replace('+', '-');
  }

  // ---------------------------------------------------------------- evaluation

  /** Scores {@code checkpoint} at every suite seed; curves (with the arm's sets) only at the first. */
  private List<EvalSummary> evaluate(Path checkpoint, Path dir, String name, long seed, List<String> benchmarks,
      CurveOptions curves, List<Path> reportInputs) throws IOException {
    List<EvalSummary> summaries = new ArrayList<>();
    for (int i = 0; i < suiteSeeds.size(); i++) {
      long suiteSeed = suiteSeeds.get(i);
      // Each suite seed also draws its own images and answers: with the same sampling seed, the
      // enumerated GenEval-style tags (the same prompts at every suite seed) would repeat their images.
      EvalSettings settings = runner.settings(seed + SAMPLING_SEED_STRIDE * suiteSeed, backend)
          .withSuites(new SuiteOptions(genevalPerTag, mmbenchQuestions, suiteSeed))
          .withCurves(curves)
          .withInteractionSamples(i == 0 ? EvalSettings.DEFAULT_INTERACTION_SAMPLES : 0);
      Path evalDir = dir.resolve("eval-" + name + "-suite" + suiteSeed);
      summaries.add(runner.evaluate(loading, checkpoint, evalDir, benchmarks, settings));
      if (i == 0) {
        reportInputs.add(evalDir);
      }
    }
    return summaries;
  }

  /** Adds a seed's scores (averaged over the suite seeds, and each suite seed's own) and curves to {@code arm}. */
  private void collect(Arm arm, List<EvalSummary> summaries, Path checkpoint) throws IOException {
    Map<String, List<Double>> perSuiteSeed = new LinkedHashMap<>();
    for (int i = 0; i < summaries.size(); i++) {
      Map<String, List<Double>> one = new LinkedHashMap<>();
      ArmRunner.addScores(one, summaries.get(i), suite -> suite + "/");
      for (var entry : one.entrySet()) {
        perSuiteSeed.computeIfAbsent(entry.getKey(), k -> new ArrayList<>()).add(entry.getValue().get(0));
        arm.scores.computeIfAbsent(entry.getKey() + " @suite" + suiteSeeds.get(i), k -> new ArrayList<>())
            .add(entry.getValue().get(0));
      }
    }
    perSuiteSeed.forEach((metric, values) -> arm.scores.computeIfAbsent(metric, k -> new ArrayList<>())
        .add(values.stream().mapToDouble(Double::doubleValue).average().orElseThrow()));
    List<Double> geneval = perSuiteSeed.get(METRIC_OF_SUITE.get("geneval"));
    List<Double> mmbench = perSuiteSeed.get(METRIC_OF_SUITE.get("mmbench"));
    if (geneval != null && mmbench != null) {
      // The primary metric: both tasks weighed equally.
      arm.scores.computeIfAbsent(TASK_AVERAGE, k -> new ArrayList<>()).add(
          (geneval.stream().mapToDouble(Double::doubleValue).average().orElseThrow()
              + mmbench.stream().mapToDouble(Double::doubleValue).average().orElseThrow()) / 2);
    }
    CheckpointInfo info = Checkpoint.read(checkpoint);
    arm.parameters = info.model().parameterCount();
    arm.parametersPerTask = info.model().parametersPerTask();
    StageSchedule schedule = new AiaLossProvider().createAia(info.training().schedule()).schedule();
    EvalSummary first = summaries.get(0);
    for (Task task : Task.values()) {
      var measured = first.curve(task);
      if (measured.isEmpty()) {
        continue;
      }
      double[] curve = measured.get().mean().stream().mapToDouble(Double::doubleValue).toArray();
      arm.interaction.computeIfAbsent(task.shortName(), t -> new ArrayList<>()).add(curve);
      arm.spread.computeIfAbsent(task.shortName(), t -> new ArrayList<>())
          .add(measured.get().std().stream().mapToDouble(Double::doubleValue).toArray());
      arm.targetDeviation.computeIfAbsent(task.shortName(), t -> new ArrayList<>())
          .add(schedule.resolve(task, curve.length).meanAbsoluteDeviation(curve));
    }
  }

  /** Retrains the baseline of the first seed into {@code baseline-rerun}: same spec, so the same weights are due. */
  private Map<String, Object> rerun(Path dir, Path base, long seed, ArmRunner.Arm arm, Path first)
      throws IOException {
    step(spec.commandLine().getOut(), "seed %d: the baseline again from scratch, to check it gives the same weights", seed);
    Path again = dir.resolve("baseline-rerun");
    runner.fineTuneFresh(again, base, seed, arm);
    Map<String, Object> result = new LinkedHashMap<>();
    String digestFirst = Manifest.sha256(first.resolve("model.safetensors"));
    String digestAgain = Manifest.sha256(again.resolve("model.safetensors"));
    result.put("seed", seed);
    result.put("model_sha256", digestFirst);
    result.put("rerun_model_sha256", digestAgain);
    // Evaluation is deterministic given the weights and seeds, so equal weights mean equal scores.
    result.put("identical_weights", digestFirst.equals(digestAgain));
    return result;
  }

  private static void step(PrintWriter console, String format, Object... args) {
    console.printf("%n== " + format + "%n", args);
    console.flush();
  }

  // ---------------------------------------------------------------- the analysis

  private String markdown(Map<String, Arm> results, Map<String, Arm> experts, Map<String, List<double[]>> targets,
      Map<String, Object> rerun, int shared, double minutes) {
    StringBuilder md = new StringBuilder();
    List<String> names = new ArrayList<>(results.keySet());
    List<String> headline = List.of(TASK_AVERAGE, "GenEval-style overall", "MMBench-style circular",
        "MMBench-style vanilla");

    md.append("## Scores (mean +- standard deviation over seeds)\n\n| metric |");
    names.forEach(n -> md.append(' ').append(n).append(" |"));
    experts.keySet().forEach(n -> md.append(' ').append(n).append(" |"));
    md.append("\n|---|");
    names.forEach(n -> md.append("---|"));
    experts.keySet().forEach(n -> md.append("---|"));
    md.append('\n');
    Map<String, Arm> all = new LinkedHashMap<>(results);
    all.putAll(experts);
    row(md, "parameters (total)", all, a -> String.format(Locale.ROOT, "%,d", a.parameters));
    for (String metric : headline) {
      row(md, metric, all, a -> ArmRunner.meanStd(a.scores.getOrDefault(metric, List.of())));
    }
    for (Task task : Task.values()) {
      row(md, "mean abs(I_l - T_l), " + task.shortName(), all,
          a -> ArmRunner.meanStd(a.targetDeviation.getOrDefault(task.shortName(), List.of())));
    }

    md.append("\n## The conflict: unified minus expert, per task (paired over seeds, 95% interval)\n\n")
        .append("| task | metric | expert | baseline - expert | unifork - expert |\n|---|---|---|---|---|\n");
    for (Task task : Task.values()) {
      String metric = METRIC_OF_SUITE.get(EXPERT_SUITE.get(task));
      List<Double> expert = experts.get(expertName(task)).scores.getOrDefault(metric, List.of());
      md.append("| ").append(task.shortName()).append(" | ").append(metric).append(" | ")
          .append(ArmRunner.meanStd(expert)).append(" | ")
          .append(difference(results.get("baseline"), metric, expert)).append(" | ")
          .append(difference(results.get("unifork"), metric, expert)).append(" |\n");
    }

    md.append("\n## Each arm minus the baseline (paired over seeds, 95% interval)\n\n| arm |");
    headline.forEach(m -> md.append(' ').append(m).append(" |"));
    md.append("\n|---|---|---|---|---|\n");
    Arm baseline = results.get("baseline");
    for (String n : names) {
      if (n.equals("baseline") || baseline == null) {
        continue;
      }
      md.append("| ").append(n).append(" |");
      for (String metric : headline) {
        md.append(' ').append(difference(results.get(n), metric, baseline.scores.getOrDefault(metric, List.of())))
            .append(" |");
      }
      md.append('\n');
    }
    Arm primary = results.get("aia-experts");
    if (primary != null) {
      md.append("\n## Ablations minus aia-experts (paired over seeds, 95% interval)\n\n| arm |");
      headline.forEach(m -> md.append(' ').append(m).append(" |"));
      md.append("\n|---|---|---|---|---|\n");
      for (String n : List.of("aia-batch-mean", "aia-answer-predictors", "aia-bos-off", "unifork+aia")) {
        if (!results.containsKey(n)) {
          continue;
        }
        md.append("| ").append(n).append(" |");
        for (String metric : headline) {
          md.append(' ').append(difference(results.get(n), metric, primary.scores.getOrDefault(metric, List.of())))
              .append(" |");
        }
        md.append('\n');
      }
    }

    md.append("\n## Noise floors\n\n");
    if (suiteSeeds.size() > 1) {
      md.append("Suite seeds: the same checkpoint scored on suites drawn from seeds ").append(suiteSeeds.get(0))
          .append(" and ").append(suiteSeeds.get(1)).append(" (second minus first, over every arm and seed):\n\n")
          .append("| metric | mean | sd | max abs |\n|---|---|---|---|\n");
      for (String metric : List.of("GenEval-style overall", "MMBench-style circular")) {
        List<Double> d = new ArrayList<>();
        for (Arm arm : results.values()) {
          List<Double> a = arm.scores.getOrDefault(metric + " @suite" + suiteSeeds.get(0), List.of());
          List<Double> b = arm.scores.getOrDefault(metric + " @suite" + suiteSeeds.get(1), List.of());
          for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            d.add(b.get(i) - a.get(i));
          }
        }
        if (d.isEmpty()) {
          continue;
        }
        double mean = d.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double sd = Math.sqrt(d.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / Math.max(1, d.size() - 1));
        double max = d.stream().mapToDouble(Math::abs).max().orElseThrow();
        md.append(String.format(Locale.ROOT, "| %s | %+.3f | %.3f | %.3f |%n", metric, mean, sd, max));
      }
    }
    if (!rerun.isEmpty()) {
      md.append(String.format(Locale.ROOT, "%nRerun of seed %s's baseline from the same base: identical weights "
          + "(SHA-256 of model.safetensors): %s.%n", rerun.get("seed"), rerun.get("identical_weights")));
    }

    md.append("\n## Interaction curves: mean I_l (mean per-sample sd) per layer, mean over seeds\n");
    for (Task task : Task.values()) {
      md.append("\n").append(task.shortName()).append("\n\n| curve | layers |\n|---|---|\n");
      String key = task.shortName();
      if (targets.containsKey(key)) {
        md.append("| experts' targets | ").append(meanCurve(targets.get(key), null)).append(" |\n");
      }
      for (var entry : all.entrySet()) {
        Arm arm = entry.getValue();
        md.append("| ").append(entry.getKey()).append(" | ")
            .append(meanCurve(arm.interaction.getOrDefault(key, List.of()), arm.spread.getOrDefault(key, List.of())))
            .append(" |\n");
      }
    }
    md.append(String.format(Locale.ROOT, "%nSeeds %s, suite seeds %s (%d GenEval-style prompts per tag, %d MMBench-style "
        + "questions, per suite seed); preset %s, world %s; shared base %d steps, then %d fine-tuning steps per arm at "
        + "peak learning rate %s; UniFork forked after layer %d of %d from its first step; experts at the same "
        + "per-task budget; evaluated on the %s backend, %d images per GenEval prompt. %.1f minutes in all.%n",
        seeds, suiteSeeds, genevalPerTag, mmbenchQuestions, loop.preset(), loop.world.name(), loop.baseSteps,
        loop.tuneSteps, ArmRunner.plain(loop.tuneLearningRate), shared, ModelConfig.preset(loop.preset()).layers(),
        backend, loop.samples, minutes));
    return md.toString();
  }

  private static String difference(Arm arm, String metric, List<Double> against) {
    if (arm == null) {
      return "-";
    }
    List<Double> values = arm.scores.getOrDefault(metric, List.of());
    if (values.isEmpty() || values.size() != against.size()) {
      return "-";
    }
    PairedDifference d = PairedDifference.of(values, against);
    return d.excludesZero() ? "**" + d + "**" : d.toString();
  }

  private static void row(StringBuilder md, String label, Map<String, Arm> arms,
      java.util.function.Function<Arm, String> cell) {
    md.append("| ").append(label).append(" |");
    arms.values().forEach(a -> md.append(' ').append(cell.apply(a)).append(" |"));
    md.append('\n');
  }

  private static String meanCurve(List<double[]> curves, List<double[]> spreads) {
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
      if (spreads != null && !spreads.isEmpty()) {
        double s = 0;
        for (double[] c : spreads) {
          s += c[l];
        }
        text.append(String.format(Locale.ROOT, " (%.2f)", s / spreads.size()));
      }
    }
    return text.toString();
  }
}
