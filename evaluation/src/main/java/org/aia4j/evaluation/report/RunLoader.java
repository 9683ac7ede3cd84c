package org.aia4j.evaluation.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.aia4j.api.model.InteractionProfile;
import org.aia4j.api.model.Task;
import org.aia4j.evaluation.io.JsonLines;
import org.aia4j.evaluation.run.CurveOptions;
import org.aia4j.evaluation.run.EvalSummary;
import org.aia4j.inference.profile.AlignmentCurve;
import org.aia4j.inference.profile.AlignmentFile;
import org.aia4j.inference.profile.ProfileFile;
import org.aia4j.loss.LayerTargets;
import org.aia4j.loss.AiaLossProvider;
import org.aia4j.loss.StageSchedule;

/**
 * Reads report inputs into {@link ReportRun}s. An input is either an eval run directory
 * ({@code RUN/summary.json}, read as an {@link EvalSummary}, {@code RUN/geneval/...}, and the
 * checkpoint the summary names, for its {@code metrics.jsonl}), whether {@code aia eval} or a
 * server's evaluation job wrote it, or an {@code aia profile} JSON file; profiles of both tasks
 * of one checkpoint become one run.
 *
 * <p>Inputs that are not what they claim to be (a directory without {@code summary.json},
 * malformed JSON) are errors naming the path; parts that are merely absent (the checkpoint was
 * moved, images were deleted) become notes on the page.
 */
public final class RunLoader {
  /** The eval run's summary file. */
  public static final String SUMMARY = EvalSummary.FILE_NAME;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final int galleryPrompts;

  /** @param galleryPrompts how many prompts' images to read per run, {@code >= 0} */
  public RunLoader(int galleryPrompts) {
    if (galleryPrompts < 0) {
      throw new IllegalArgumentException("galleryPrompts must be >= 0, got " + galleryPrompts);
    }
    this.galleryPrompts = galleryPrompts;
  }

  /**
   * Loads every input, in order; profiles of one checkpoint and different tasks are merged, and
   * repeated names get a {@code (2)}, {@code (3)} suffix.
   *
   * @throws IOException naming the first input that is not an eval run or profile, or the file
   *     that is malformed
   */
  public List<ReportRun> loadAll(List<Path> inputs) throws IOException {
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("no report inputs: give eval run directories or profile JSON files");
    }
    List<ReportRun> runs = new ArrayList<>();
    Map<String, Integer> profileRunByCheckpoint = new LinkedHashMap<>();
    Map<String, Integer> evalRunByCheckpoint = new LinkedHashMap<>();
    for (Path input : inputs) {
      Loaded loaded = load(input);
      if (loaded.run.kind() == ReportRun.Kind.EVAL_RUN) {
        if (loaded.checkpointKey != null) {
          evalRunByCheckpoint.putIfAbsent(loaded.checkpointKey, runs.size());
        }
        runs.add(loaded.run);
        continue;
      }
      // An alignment curve joins the eval run of its checkpoint, beside that run's interaction curves.
      Integer evalRun = loaded.checkpointKey == null || !loaded.run.interaction().isEmpty() ? null
          : evalRunByCheckpoint.get(loaded.checkpointKey);
      if (evalRun != null && loaded.run.alignment().keySet().stream()
          .noneMatch(runs.get(evalRun).alignment()::containsKey)) {
        runs.set(evalRun, withAlignment(runs.get(evalRun), loaded.run));
        continue;
      }
      Integer mergeInto = loaded.checkpointKey == null ? null : profileRunByCheckpoint.get(loaded.checkpointKey);
      if (mergeInto != null && canMerge(runs.get(mergeInto), loaded.run)) {
        runs.set(mergeInto, merge(runs.get(mergeInto), loaded.run));
      } else {
        if (loaded.checkpointKey != null) {
          profileRunByCheckpoint.putIfAbsent(loaded.checkpointKey, runs.size());
        }
        runs.add(loaded.run);
      }
    }
    return uniqueNames(runs);
  }

  /** A run and the checkpoint it measured (the merge key), null if unknown. */
  private record Loaded(ReportRun run, String checkpointKey) {}

  private Loaded load(Path input) throws IOException {
    if (Files.isDirectory(input)) {
      return evalRun(input);
    }
    if (!Files.exists(input)) {
      throw new NoSuchFileException(input.toString(), null, "report input is missing");
    }
    if (input.getFileName().toString().equals(SUMMARY)) {
      return evalRun(input.toAbsolutePath().getParent());
    }
    if (AlignmentFile.isAlignment(readObject(input))) {
      return loadAlignment(input);
    }
    return loadProfile(input);
  }

  /** An {@code aia align} file: a run with one task's alignment curve, merged with its checkpoint's profiles. */
  private Loaded loadAlignment(Path file) throws IOException {
    JsonNode raw = readObject(file);
    AlignmentCurve curve = AlignmentFile.read(file);
    List<String> notes = new ArrayList<>();
    JsonNode source = raw.path("source");
    SourceRun from = sourceRun(file, source, notes);
    String name = from.name();
    JsonNode config = from.config();
    TrainingHistory training = from.training();
    String key = from.key();
    Map<Task, LayerCurve> alignment = new EnumMap<>(Task.class);
    alignment.put(curve.task(), new LayerCurve(curve.perLayer().stream().mapToDouble(Double::doubleValue).toArray(),
        null, "mutual k-NN, k = " + curve.k() + ", " + curve.samples() + " samples"));
    Long step = source.path("step").isIntegralNumber() ? source.get("step").asLong() : null;
    ReportRun run = ReportRun.builder(name, file, ReportRun.Kind.PROFILE).config(config).checkpointStep(step)
        .training(training).notes(notes).alignment(alignment).build();
    return new Loaded(run, key);
  }

  /**
   * Loads one eval run directory.
   *
   * @throws IOException if {@code dir} has no {@code summary.json}, or a file is malformed
   */
  public ReportRun loadEvalRun(Path dir) throws IOException {
    return evalRun(dir).run;
  }

  /** An eval run directory: its {@link EvalSummary} and what it names, keyed by checkpoint and step. */
  private Loaded evalRun(Path dir) throws IOException {
    Path summaryFile = dir.resolve(SUMMARY);
    if (!Files.isRegularFile(summaryFile)) {
      throw new IOException(dir + " is not an eval run: it has no " + SUMMARY
          + " (make one with aia eval, or pass an aia profile JSON file)");
    }
    EvalSummary summary = EvalSummary.read(summaryFile);
    List<String> notes = new ArrayList<>();
    String name = dir.toAbsolutePath().normalize().getFileName().toString();
    CurveOptions sets = summary.settings().curves();
    if (!sets.isDefault()) {
      notes.add("I_l measured with BOS " + (sets.bosAsText() ? "" : "not ") + "counted as prompt text and the "
          + sets.answerQueries().label() + " as understanding queries");
    }

    EvalSummary.CheckpointSource source = summary.checkpoint();
    JsonNode config = source == null ? null : objectOrNull(source.config());
    Long step = source == null ? null : source.step();
    TrainingHistory training = null;
    String key = null;
    if (source == null) {
      notes.add(summaryFile + " names no checkpoint: training curves skipped");
    } else {
      Path checkpoint = dir.resolve(source.path());
      key = checkpoint.toAbsolutePath().normalize() + "@" + (step == null ? "" : step);
      Checkpoint found = readCheckpoint(checkpoint, notes);
      training = found.training;
      config = config == null ? found.config : config;
    }

    BenchmarkScores geneval = summary.suite("geneval").map(r -> new BenchmarkScores(r.overall(), null, r.breakdown()))
        .orElse(null);
    BenchmarkScores mmbench = summary.suite("mmbench")
        .map(r -> new BenchmarkScores(r.overall(), r.number("vanilla").orElse(null), r.breakdown())).orElse(null);
    Path mmbenchSummary = dir.resolve("mmbench").resolve(SUMMARY);
    if (mmbench == null && Files.isRegularFile(mmbenchSummary)) {
      // An aia score mmbench result beside the run: the scorer's own summary.
      mmbench = scores(readObject(mmbenchSummary), "categories", true, mmbenchSummary, "");
    }

    Map<Task, LayerCurve> interaction = new EnumMap<>(Task.class);
    for (Map.Entry<String, EvalSummary.Curve> measured : summary.interaction().entrySet()) {
      String at = summaryFile + ": interaction." + measured.getKey();
      EvalSummary.Curve curve = measured.getValue();
      if (curve.mean().isEmpty() || curve.std().size() != curve.mean().size()) {
        throw new IOException(at + ": mean has " + curve.mean().size() + " layers but std has " + curve.std().size());
      }
      interaction.put(task(measured.getKey(), at), new LayerCurve(
          curve.mean().stream().mapToDouble(Double::doubleValue).toArray(),
          curve.std().stream().mapToDouble(Double::doubleValue).toArray(), "eval"));
    }
    if (training != null) {
      for (Map.Entry<Task, double[]> last : training.lastInteraction().entrySet()) {
        if (!interaction.containsKey(last.getKey()) && last.getValue().length > 0) {
          interaction.put(last.getKey(), new LayerCurve(last.getValue(), null, "last training step"));
          notes.add("I_l (" + last.getKey().shortName() + ") is the last training step's (one batch): "
              + summaryFile + " has no interaction." + last.getKey().shortName());
        }
      }
    }

    List<SampleGallery.Prompt> gallery = List.of();
    Path genevalDir = dir.resolve("geneval");
    if (galleryPrompts > 0 && (geneval != null || Files.isDirectory(genevalDir))) {
      gallery = SampleGallery.read(genevalDir.resolve("images"), genevalDir.resolve("results.jsonl"),
          galleryPrompts, notes);
    }
    ReportRun run = ReportRun.builder(name, dir, ReportRun.Kind.EVAL_RUN).config(config)
        .settings(JSON.valueToTree(summary.settings())).checkpointStep(step).geneval(geneval).mmbench(mmbench)
        .interaction(interaction).targets(targets(config, interaction, null, notes)).training(training)
        .gallery(gallery).notes(notes).build();
    return new Loaded(run, key);
  }

  private Loaded loadProfile(Path file) throws IOException {
    JsonNode raw = readObject(file); // names the file if it is not JSON at all
    InteractionProfile profile = ProfileFile.read(file, null);
    List<String> notes = new ArrayList<>();
    JsonNode source = raw.path("source");
    SourceRun from = sourceRun(file, source, notes);
    String name = from.name();
    JsonNode config = from.config();
    TrainingHistory training = from.training();
    String key = from.key();
    Map<Task, LayerCurve> interaction = new EnumMap<>(Task.class);
    interaction.put(profile.task(), new LayerCurve(
        profile.mean().stream().mapToDouble(Double::doubleValue).toArray(),
        profile.std().stream().mapToDouble(Double::doubleValue).toArray(),
        "profile, " + profile.samples() + " samples"));
    JsonNode schedule = source.path("schedule").isObject() ? source.get("schedule") : null;
    Long step = source.path("step").isIntegralNumber() ? source.get("step").asLong() : null;
    ReportRun run = ReportRun.builder(name, file, ReportRun.Kind.PROFILE).config(config).checkpointStep(step)
        .interaction(interaction).targets(targets(config, interaction, schedule, notes)).training(training)
        .notes(notes).build();
    return new Loaded(run, key);
  }

  private static boolean canMerge(ReportRun into, ReportRun other) {
    return into.kind() == ReportRun.Kind.PROFILE && other.kind() == ReportRun.Kind.PROFILE
        && other.interaction().keySet().stream().noneMatch(into.interaction()::containsKey)
        && other.alignment().keySet().stream().noneMatch(into.alignment()::containsKey);
  }

  private static ReportRun withAlignment(ReportRun run, ReportRun alignmentOnly) {
    Map<Task, LayerCurve> alignment = new EnumMap<>(Task.class);
    alignment.putAll(run.alignment());
    alignment.putAll(alignmentOnly.alignment());
    return run.toBuilder().alignment(alignment).build();
  }

  private static ReportRun merge(ReportRun a, ReportRun b) {
    Map<Task, LayerCurve> interaction = new EnumMap<>(Task.class);
    interaction.putAll(a.interaction());
    interaction.putAll(b.interaction());
    Map<Task, LayerTargets> targets = new EnumMap<>(Task.class);
    targets.putAll(a.targets());
    b.targets().forEach(targets::putIfAbsent);
    List<String> notes = new ArrayList<>(a.notes());
    b.notes().stream().filter(n -> !notes.contains(n)).forEach(notes::add);
    Map<Task, LayerCurve> alignment = new EnumMap<>(Task.class);
    alignment.putAll(a.alignment());
    alignment.putAll(b.alignment());
    return ReportRun.builder(a.name(), a.source(), a.kind()).config(a.config() != null ? a.config() : b.config())
        .checkpointStep(a.checkpointStep()).interaction(interaction).targets(targets)
        .training(a.training() != null ? a.training() : b.training()).notes(notes).alignment(alignment).build();
  }

  private static List<ReportRun> uniqueNames(List<ReportRun> runs) {
    Set<String> seen = new HashSet<>();
    List<ReportRun> out = new ArrayList<>();
    for (ReportRun run : runs) {
      String name = run.name();
      for (int n = 2; !seen.add(name); n++) {
        name = run.name() + " (" + n + ")";
      }
      out.add(name.equals(run.name()) ? run : run.toBuilder().name(name).build());
    }
    return out;
  }

  /** What a checkpoint directory contributes: its config and its metrics. */
  private record Checkpoint(JsonNode config, TrainingHistory training) {}

  /** The run a profile or alignment file was measured on: its name, merge key, config and history. */
  private record SourceRun(String name, String key, JsonNode config, TrainingHistory training) {}

  /** Names the run after the file, or after the source checkpoint it records (whose config and history are read). */
  private static SourceRun sourceRun(Path file, JsonNode source, List<String> notes) throws IOException {
    String name = file.getFileName().toString().replaceFirst("\\.json$", "");
    String checkpointText = source.path("checkpoint").asText("");
    if (checkpointText.isEmpty()) {
      return new SourceRun(name, null, null, null);
    }
    Path checkpoint = Path.of(checkpointText);
    String key = checkpoint.toAbsolutePath().normalize() + "@" + source.path("step").asText("");
    Checkpoint found = readCheckpoint(checkpoint, notes);
    return new SourceRun(checkpoint.getFileName() == null ? name : checkpoint.getFileName().toString(), key,
        found.config, found.training);
  }

  private static Checkpoint readCheckpoint(Path dir, List<String> notes) throws IOException {
    if (!Files.isDirectory(dir)) {
      notes.add("checkpoint " + dir + " not found: training curves skipped");
      return new Checkpoint(null, null);
    }
    Path configFile = dir.resolve("config.json");
    JsonNode config = Files.isRegularFile(configFile) ? readObject(configFile) : null;
    Path metrics = dir.resolve("metrics.jsonl");
    if (!Files.isRegularFile(metrics)) {
      notes.add("checkpoint " + dir + " has no metrics.jsonl: training curves skipped");
      return new Checkpoint(config, null);
    }
    return new Checkpoint(config, TrainingHistory.read(metrics));
  }

  /**
   * The run's stage targets per task: from {@code schedule} if given, else the config's
   * {@code training.schedule}, resolved at the curve's depth (or the model's).
   */
  private static Map<Task, LayerTargets> targets(JsonNode config, Map<Task, LayerCurve> interaction,
      JsonNode schedule, List<String> notes) {
    Map<Task, LayerTargets> targets = new EnumMap<>(Task.class);
    JsonNode json = schedule != null ? schedule : config == null ? null : config.path("training").get("schedule");
    if (json == null || !json.isObject()) {
      if (!interaction.isEmpty()) {
        notes.add("no AIA schedule recorded: targets not drawn");
      }
      return targets;
    }
    StageSchedule parsed;
    try {
      parsed = new AiaLossProvider().createAia(json).schedule();
    } catch (IllegalArgumentException e) {
      notes.add("AIA schedule unreadable, targets not drawn: " + e.getMessage());
      return targets;
    }
    int modelLayers = config == null ? 0 : config.path("model").path("layers").asInt(0);
    for (Task task : Task.values()) {
      LayerCurve curve = interaction.get(task);
      int depth = curve != null ? curve.layers() : modelLayers;
      if (depth <= 0) {
        continue;
      }
      try {
        targets.put(task, parsed.resolve(task, depth));
      } catch (IllegalArgumentException e) {
        notes.add(task.shortName() + " targets not drawn: " + e.getMessage());
      }
    }
    return targets;
  }

  private static BenchmarkScores scores(JsonNode node, String partsField, boolean mmbench, Path file, String prefix)
      throws IOException {
    if (node == null || node.isNull()) {
      return null;
    }
    String at = file + ": " + (prefix.isEmpty() ? "" : prefix + ".");
    if (!node.isObject() || !node.path("overall").isNumber()) {
      throw new IOException(at + "overall must be a number, got " + node.get("overall"));
    }
    Map<String, Double> parts = new LinkedHashMap<>();
    JsonNode partsNode = node.path(partsField);
    if (partsNode.isObject()) {
      var fields = partsNode.fields();
      while (fields.hasNext()) {
        var field = fields.next();
        if (!field.getValue().isNumber()) {
          throw new IOException(at + partsField + "." + field.getKey() + " must be a number, got " + field.getValue());
        }
        parts.put(field.getKey(), field.getValue().asDouble());
      }
    }
    Double vanilla = mmbench && node.path("vanilla").isNumber() ? node.get("vanilla").asDouble() : null;
    return new BenchmarkScores(node.get("overall").asDouble(), vanilla, parts);
  }

  private static Task task(String name, String at) throws IOException {
    try {
      return Task.parse(name);
    } catch (IllegalArgumentException e) {
      throw new IOException(at + ": " + e.getMessage(), e);
    }
  }

  private static double[] numbers(JsonNode node, String at) throws IOException {
    if (node == null || !node.isArray() || node.isEmpty()) {
      throw new IOException(at + " must be a non-empty array of numbers, got " + node);
    }
    double[] values = new double[node.size()];
    for (int i = 0; i < values.length; i++) {
      if (!node.get(i).isNumber()) {
        throw new IOException(at + "[" + i + "] must be a number, got " + node.get(i));
      }
      values[i] = node.get(i).asDouble();
    }
    return values;
  }

  private static JsonNode objectOrNull(JsonNode node) {
    return node != null && node.isObject() ? node : null;
  }

  /**
   * Reads a JSON object file.
   *
   * @throws IOException naming the file if it is not valid JSON or not an object
   */
  static JsonNode readObject(Path file) throws IOException {
    return JsonLines.readObject(file, null);
  }
}
