package org.aia4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.aia4j.api.benchmark.Benchmark;
import org.aia4j.api.benchmark.ProgressListener;
import org.aia4j.api.data.TrainingData;
import org.aia4j.api.model.ModelProvider;
import org.aia4j.api.model.UnifiedModel;
import org.aia4j.evaluation.run.CurveOptions;
import org.aia4j.evaluation.run.EvalProgress;
import org.aia4j.evaluation.run.EvalSettings;
import org.aia4j.evaluation.run.EvalSuites;
import org.aia4j.evaluation.run.EvalSummary;
import org.aia4j.evaluation.run.Evaluation;
import org.aia4j.evaluation.run.SuiteOptions;
import org.aia4j.evaluation.world.Worlds;
import org.aia4j.inference.checkpoint.CheckpointFiles;
import org.aia4j.loss.AiaLossProvider;
import org.aia4j.loss.AiaOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aia eval}: runs benchmark suites on a checkpoint and writes, under {@code --out}, one
 * run directory per benchmark ({@code geneval/}, {@code mmbench/}) and {@code summary.json} (an
 * {@link EvalSummary}: the checkpoint, every setting, every score, the interaction curves, the
 * timings), through {@link Evaluation}.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = "Evaluate a checkpoint on the GenEval-style and MMBench-style suites (or any registered benchmark).")
final class EvalCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec
  CommandSpec spec;

  @Inject
  ModelLoading loading;

  @Option(names = "--checkpoint", required = true, description = "A checkpoint directory (aia train --out).")
  Path checkpoint;

  @Option(names = "--benchmarks", split = ",",
      description = "Benchmarks to run, comma-separated (default: geneval,mmbench; geneval with --images-only).")
  List<String> benchmarks;

  @Option(names = "--world", description = "The world whose suites run and whose judge scores them: shapes, fashion "
      + "or a plug-in's (default: the world the checkpoint was trained in, else shapes).")
  String world;

  @Option(names = "--images-only", description = "Draw the GenEval-style suite's images in GenEval's exact folder "
      + "layout and score nothing, for the official GenEval scorer (Mask2Former) to run on elsewhere; the metadata "
      + "(--geneval-metadata, e.g. the official evaluation_metadata.jsonl) may then name any class.")
  boolean imagesOnly;

  @Option(names = "--out", required = true, description = "Directory for summary.json and one folder per benchmark.")
  Path out;

  @Option(names = "--limit", defaultValue = "0", description = "Only the first N prompts/questions of each suite; 0 = all (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--samples", defaultValue = "4", description = "Images per GenEval prompt (default: ${DEFAULT-VALUE}).")
  int samples;

  @Mixin
  SamplingOptions sampling = new SamplingOptions();

  @Option(names = "--answer-temperature", defaultValue = "0",
      description = "Answer sampling temperature; 0 = greedy, as benchmarks usually answer (default: ${DEFAULT-VALUE}).")
  double answerTemperature;

  @Mixin
  SeedOption seed = new SeedOption(0);

  @Option(names = "--batch", defaultValue = "16",
      description = "Prompts or questions per model call; 16 was faster than 8 on the small preset (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--geneval-metadata", description = "A GenEval evaluation_metadata.jsonl (default: the world's own suite).")
  Path genevalMetadata;

  @Option(names = "--mmbench-tsv", description = "An MMBench TSV (default: the world's own suite).")
  Path mmbenchTsv;

  @Option(names = "--geneval-per-tag", defaultValue = "0", description = "GenEval-style prompts per tag of the embedded "
      + "suite: tags with fewer cycle theirs, each repeat with its own images; 0 = the suite as generated "
      + "(default: ${DEFAULT-VALUE}).")
  int genevalPerTag;

  @Option(names = "--mmbench-questions", defaultValue = "0", description = "MMBench-style questions of the embedded "
      + "suite; 0 = its default, 350 (default: ${DEFAULT-VALUE}).")
  int mmbenchQuestions;

  @Option(names = "--suite-seed", description = "Draw both embedded suites from this seed (default: each suite's own, "
      + "43 and 2024).")
  Long suiteSeed;

  @Mixin
  QuerySetOptions sets = new QuerySetOptions();

  @Mixin
  BackendOptions engine = new BackendOptions("djl");

  @Override
  public Integer call() throws Exception {
    String worldName = world != null ? world : ModelLoading.trainingWorldOf(checkpoint).orElse(Worlds.DEFAULT);
    EvalSettings settings = new EvalSettings(limit, samples, sampling.cfg, sampling.temperature, answerTemperature,
        sampling.topK, seed.seed(), batch, engine.backend(), engine.device(), genevalMetadata == null ? null : genevalMetadata.toString(),
        mmbenchTsv == null ? null : mmbenchTsv.toString(), EvalSettings.DEFAULT_INTERACTION_SAMPLES, worldName,
        imagesOnly);
    CurveOptions trained = CurveOptions.DEFAULTS;
    try {
      trained = curvesOf(checkpoint);
    } catch (java.nio.file.NoSuchFileException e) {
      // Not a checkpoint: evaluate refuses it with its own message, after the suites are checked
      // (so a bad --benchmarks is still reported first).
    }
    settings = settings.withSuites(new SuiteOptions(genevalPerTag, mmbenchQuestions, suiteSeed))
        .withCurves(sets.over(trained));
    List<String> suites = benchmarks != null ? benchmarks
        : imagesOnly ? List.of("geneval") : List.of("geneval", "mmbench");
    EvalSummary summary = evaluate(loading, checkpoint, suites, settings, out, spec.commandLine().getOut());
    summary.handOffs().forEach((name, details) -> spec.commandLine().getOut().printf(
        "%s: %d images of %d prompts in GenEval's layout in %s, not scored; score them with %s%n", name,
        details.path("images").asInt(), details.path("prompts").asInt(), details.path("images_dir").asText(),
        details.path("scorer").asText()));
    return 0;
  }

  /**
   * Evaluates a checkpoint as {@code aia eval} does: the suites are created and the backend found
   * before the model is loaded; the curves are measured on the checkpoint's training world when
   * that is the embedded world; a failed run removes what it wrote.
   *
   * @return the summary written to {@code out/summary.json}
   */
  static EvalSummary evaluate(ModelLoading loading, Path checkpoint, List<String> benchmarks, EvalSettings settings,
      Path out, PrintWriter console) throws IOException {
    // Everything that can be refused is checked before the model is loaded.
    Map<String, Benchmark> suites = EvalSuites.create(loading.plugins().benchmarks(), benchmarks, settings);
    ModelProvider models = loading.provider(settings.backend());
    JsonNode config = readConfig(checkpoint);
    EvalSummary.CheckpointSource source = new EvalSummary.CheckpointSource(
        checkpoint.toAbsolutePath().normalize().toString(),
        config.path("step").isIntegralNumber() ? config.get("step").asLong() : null, config);

    // A failed run removes what it wrote (a half-scored suite is no result), leaving what was
    // in --out before it alone.
    OutputCleanup cleanup = OutputCleanup.before(out);
    try {
      long start = System.nanoTime();
      try (UnifiedModel model = models.load(checkpoint, ModelLoading.options(settings.device()))) {
        double load = Math.round((System.nanoTime() - start) / 1e7) / 100.0;
        TrainingData data = ModelLoading.worldData(config).orElse(null);
        EvalSummary summary = Evaluation.into(out).checkpoint(source).profilingData(data).loadSeconds(load)
            .run(model, suites, settings, new ConsoleProgress(console, model.name()));
        console.printf("Wrote %s%n", out.resolve(EvalSummary.FILE_NAME));
        console.flush();
        return summary;
      }
    } catch (Exception | Error e) {
      cleanup.removeWhatWasCreated();
      throw e;
    }
  }

  /** Progress as the console shows it: a bar per suite, then its scores. */
  private static final class ConsoleProgress implements EvalProgress {
    private final PrintWriter console;
    private final String model;
    private ProgressBar bar;

    ConsoleProgress(PrintWriter console, String model) {
      this.console = console;
      this.model = model;
    }

    @Override
    public ProgressListener suiteStarted(String benchmark, int items, int size) {
      console.printf("Running %s on %s (%d of %d items)%n", benchmark, model, items, size);
      console.flush();
      bar = ProgressBars.create(benchmark, items);
      return ProgressBars.listener(bar);
    }

    @Override
    public void suiteFinished(String benchmark, EvalSummary.SuiteResult result, double seconds) {
      bar.close();
      if (result == null) {
        return;
      }
      console.printf(Locale.ROOT, "%s: overall %.4f%s (%.0f s)%n", benchmark, result.overall(),
          result.number("vanilla").map(v -> String.format(Locale.ROOT, ", vanilla %.4f", v)).orElse(""), seconds);
      console.flush();
    }

    @Override
    public void note(String message) {
      console.println(message);
      console.flush();
    }
  }

  /**
   * The query and key sets {@code checkpoint} was trained with: its recorded AIA loss options, or
   * the defaults for another loss or a checkpoint that records none.
   *
   * @param checkpoint a checkpoint or export directory
   * @return the sets its curves should be measured with
   */
  static CurveOptions curvesOf(Path checkpoint) throws IOException {
    JsonNode training = ModelLoading.training(readConfig(checkpoint));
    String loss = training.path("loss").asText(AiaLossProvider.NAME);
    JsonNode config = training.get("schedule");
    if (!loss.equalsIgnoreCase(AiaLossProvider.NAME) || config == null || !config.isObject()) {
      return CurveOptions.DEFAULTS;
    }
    AiaOptions options = new AiaLossProvider().createAia(config).options();
    return new CurveOptions(options.bosAsText(), options.answerQueries());
  }

  /** A checkpoint's or an export's config.json; the loader checks the rest. */
  static JsonNode readConfig(Path checkpoint) throws IOException {
    // A checkpoint whose replacement was killed between its renames is put back first (only when
    // it is missing: a training run may be saving beside it right now).
    if (!Files.exists(checkpoint)) {
      CheckpointFiles.recover(checkpoint);
    }
    if (!Files.isDirectory(checkpoint)) {
      throw new java.nio.file.NoSuchFileException(checkpoint.toString(), null, "checkpoint directory is missing");
    }
    Path file = checkpoint.resolve("config.json");
    if (!Files.isRegularFile(file)) {
      throw new java.nio.file.NoSuchFileException(file.toString(), null,
          "not an aia4j checkpoint (no config.json; make one with aia train)");
    }
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
    }
  }
}
