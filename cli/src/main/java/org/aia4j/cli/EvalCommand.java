package org.aia4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.aia4j.api.benchmark.Benchmark;
import org.aia4j.api.benchmark.BenchmarkOptions;
import org.aia4j.api.benchmark.BenchmarkProvider;
import org.aia4j.api.benchmark.BenchmarkScore;
import org.aia4j.api.io.AtomicFiles;
import org.aia4j.api.model.InteractionProfile;
import org.aia4j.api.model.ModelProvider;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.api.model.Task;
import org.aia4j.api.model.UnifiedModel;
import org.aia4j.api.spi.ProviderRegistry;
import org.aia4j.inference.checkpoint.CheckpointFiles;
import org.aia4j.inference.decode.DecodingModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aia eval}: runs benchmark suites on a checkpoint and writes, under {@code --out}, one
 * run directory per benchmark ({@code geneval/}, {@code mmbench/}) and {@code summary.json} with
 * the checkpoint, the sampling settings, every score, the interaction curves and the timings.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = "Evaluate a checkpoint on the GenEval-style and MMBench-style suites (or any registered benchmark).")
final class EvalCommand implements Callable<Integer> {
  /** Samples each interaction curve is measured on. */
  static final int INTERACTION_SAMPLES = 128;

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Spec
  CommandSpec spec;

  @Inject
  ModelLoading loading;

  @Option(names = "--checkpoint", required = true, description = "A checkpoint directory (aia train --out).")
  Path checkpoint;

  @Option(names = "--benchmarks", defaultValue = "geneval,mmbench", split = ",",
      description = "Benchmarks to run, comma-separated (default: ${DEFAULT-VALUE}).")
  List<String> benchmarks;

  @Option(names = "--out", required = true, description = "Directory for summary.json and one folder per benchmark.")
  Path out;

  @Option(names = "--limit", defaultValue = "0", description = "Only the first N prompts/questions of each suite; 0 = all (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--samples", defaultValue = "4", description = "Images per GenEval prompt (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--cfg", defaultValue = "2.0", description = "Classifier-free guidance weight w (default: ${DEFAULT-VALUE}).")
  double cfg;

  @Option(names = "--temperature", defaultValue = "1.0", description = "Image sampling temperature; 0 = greedy (default: ${DEFAULT-VALUE}).")
  double temperature;

  @Option(names = "--answer-temperature", defaultValue = "0",
      description = "Answer sampling temperature; 0 = greedy, as benchmarks usually answer (default: ${DEFAULT-VALUE}).")
  double answerTemperature;

  @Option(names = "--top-k", defaultValue = "0", description = "Sample among the K most likely tokens; 0 = all (default: ${DEFAULT-VALUE}).")
  int topK;

  @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--batch", defaultValue = "16",
      description = "Prompts or questions per model call; 16 was faster than 8 on the small preset (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--geneval-metadata", description = "A GenEval evaluation_metadata.jsonl (default: the embedded world's suite).")
  Path genevalMetadata;

  @Option(names = "--mmbench-tsv", description = "An MMBench TSV (default: the embedded world's suite).")
  Path mmbenchTsv;

  @Option(names = "--device", defaultValue = "cpu",
      description = "cpu, or cuda[:N] for the onnx backend built with -Pcuda (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--backend", defaultValue = "djl", description = "Backend (or model provider) that runs the checkpoint (default: ${DEFAULT-VALUE}).")
  String backend;

  @Override
  public Integer call() throws Exception {
    long begin = System.nanoTime();
    PrintWriter console = spec.commandLine().getOut();
    SamplingSettings imageSampling = new SamplingSettings(cfg, temperature, topK, seed);
    SamplingSettings answerSampling = new SamplingSettings(1.0, answerTemperature, topK, seed);
    BenchmarkOptions genOptions = new BenchmarkOptions(limit, samples, imageSampling, batch);
    BenchmarkOptions undOptions = new BenchmarkOptions(limit, samples, answerSampling, batch);
    // Everything that can be refused is checked before the model is loaded.
    Map<String, Benchmark> suites = benchmarks();
    ModelProvider models = modelProvider();
    JsonNode config = checkpointConfig();

    Map<String, Double> seconds = new LinkedHashMap<>();
    ObjectNode summary = JSON.createObjectNode();
    summary.put("checkpoint", checkpoint.toAbsolutePath().normalize().toString());
    summary.set("checkpoint_step", config.get("step"));
    summary.set("checkpoint_config", config);
    ObjectNode settings = summary.putObject("settings");
    settings.put("cfg", cfg);
    settings.put("temperature", temperature);
    settings.put("top_k", topK);
    settings.put("seed", seed);
    settings.put("samples", samples);
    settings.put("batch", batch);
    settings.put("limit", limit);
    settings.put("backend", backend);
    settings.put("device", device);
    settings.put("answer_temperature", answerTemperature);

    // A failed run removes what it wrote (a half-scored suite is no result), leaving what was
    // in --out before it alone.
    OutputCleanup cleanup = OutputCleanup.before(out);
    try {
      run(console, suites, models, config, summary, seconds, genOptions, undOptions, begin);
    } catch (Exception | Error e) {
      cleanup.removeWhatWasCreated();
      throw e;
    }
    return 0;
  }

  private void run(PrintWriter console, Map<String, Benchmark> suites, ModelProvider models, JsonNode config,
      ObjectNode summary, Map<String, Double> seconds, BenchmarkOptions genOptions, BenchmarkOptions undOptions,
      long begin) throws Exception {
    long start = System.nanoTime();
    try (UnifiedModel model = models.load(checkpoint, ModelLoading.options(device))) {
      seconds.put("load", since(start));
      Files.createDirectories(out);
      summary.set("model", JSON.valueToTree(model.info()));
      for (Map.Entry<String, Benchmark> entry : suites.entrySet()) {
        String name = entry.getKey();
        Benchmark suite = entry.getValue();
        BenchmarkOptions options = name.equals("mmbench") ? undOptions : genOptions;
        console.printf("Running %s on %s (%d of %d items)%n", name, model.name(), options.effectiveSize(suite.size()),
            suite.size());
        console.flush();
        start = System.nanoTime();
        BenchmarkScore score;
        try (ProgressBar bar = ProgressBars.create(name, options.effectiveSize(suite.size()))) {
          score = suite.run(model, options, out.resolve(name), ProgressBars.listener(bar));
        }
        seconds.put(name, since(start));
        summary.set(name, scoreJson(name, score));
        console.printf(Locale.ROOT, "%s: overall %.4f%s (%.0f s)%n", name, score.overall(),
            score.details().containsKey("vanilla")
                ? String.format(Locale.ROOT, ", vanilla %.4f", ((Number) score.details().get("vanilla")).doubleValue()) : "",
            seconds.get(name));
        console.flush();
      }
      start = System.nanoTime();
      summary.set("interaction", interactions(model, config, console));
      seconds.put("interaction", since(start));
    }
    seconds.put("total", since(begin));
    summary.set("seconds", JSON.valueToTree(seconds));
    Path file = out.resolve("summary.json");
    AtomicFiles.writeString(file, JSON.writeValueAsString(summary) + "\n");
    console.printf("Wrote %s%n", file);
    console.flush();
  }

  /** The suites asked for, created through the benchmark registry, in the order given. */
  private Map<String, Benchmark> benchmarks() {
    ProviderRegistry<BenchmarkProvider> registry = loading.plugins().benchmarks();
    Map<String, Benchmark> suites = new LinkedHashMap<>();
    for (String requested : new LinkedHashSet<>(benchmarks)) {
      String name = requested.strip().toLowerCase(Locale.ROOT);
      if (name.isEmpty()) {
        continue;
      }
      BenchmarkProvider provider = registry.get(name); // unknown: the message lists the known ones
      Map<String, String> config = new LinkedHashMap<>();
      if (name.equals("geneval") && genevalMetadata != null) {
        config.put("metadata", existing(genevalMetadata, "--geneval-metadata").toString());
      }
      if (name.equals("mmbench") && mmbenchTsv != null) {
        config.put("data", existing(mmbenchTsv, "--mmbench-tsv").toString());
      }
      Benchmark suite = provider.create(config);
      if (suite.size() == 0) {
        throw new IllegalArgumentException("The " + name + " suite is empty: " + suite.description());
      }
      suites.put(provider.name(), suite);
    }
    if (suites.isEmpty()) {
      throw new IllegalArgumentException("--benchmarks names no benchmark. Known benchmarks: "
          + String.join(", ", registry.names()));
    }
    if (genevalMetadata != null && !suites.containsKey("geneval")) {
      throw new IllegalArgumentException("--geneval-metadata is given but geneval is not in --benchmarks");
    }
    if (mmbenchTsv != null && !suites.containsKey("mmbench")) {
      throw new IllegalArgumentException("--mmbench-tsv is given but mmbench is not in --benchmarks");
    }
    return suites;
  }

  private ModelProvider modelProvider() {
    return loading.provider(backend);
  }

  /** The checkpoint's config.json, as recorded in the summary; the loader checks the rest. */
  private JsonNode checkpointConfig() throws IOException {
    return readConfig(checkpoint);
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

  /** Per task, the model's interaction curve on {@value #INTERACTION_SAMPLES} samples, if it can say. */
  private ObjectNode interactions(UnifiedModel model, JsonNode config, PrintWriter console) {
    ObjectNode node = JSON.createObjectNode();
    if (model instanceof DecodingModel decoding) {
      // The world the checkpoint was trained on, when that is the embedded world.
      ModelLoading.worldData(config).ifPresent(decoding::useProfilingData);
    }
    for (Task task : List.of(Task.UNDERSTANDING, Task.GENERATION)) {
      Optional<InteractionProfile> profile = model.interactions(task, INTERACTION_SAMPLES);
      if (profile.isEmpty()) {
        console.printf("No %s interaction curve: the model cannot be inspected on its data%n", task.shortName());
        continue;
      }
      ObjectNode curve = node.putObject(task.shortName());
      curve.set("mean", JSON.valueToTree(profile.get().mean()));
      curve.set("std", JSON.valueToTree(profile.get().std()));
      curve.put("samples", profile.get().samples());
    }
    return node;
  }

  /**
   * A score as the summary holds it: overall, the breakdown under {@code tasks} (GenEval) or
   * {@code categories} (MMBench), and every detail both at the top level and under {@code details}.
   */
  private static ObjectNode scoreJson(String name, BenchmarkScore score) {
    ObjectNode node = JSON.createObjectNode();
    node.put("overall", score.overall());
    node.set(name.equals("geneval") ? "tasks" : name.equals("mmbench") ? "categories" : "breakdown",
        JSON.valueToTree(score.breakdown()));
    score.details().forEach((key, value) -> {
      if (!node.has(key)) {
        node.set(key, JSON.valueToTree(value));
      }
    });
    node.set("details", JSON.valueToTree(score.details()));
    return node;
  }

  private static Path existing(Path file, String option) throws IllegalArgumentException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(option + " " + file + " does not exist");
    }
    return file;
  }

  private static double since(long nanos) {
    return Math.round((System.nanoTime() - nanos) / 1e7) / 100.0;
  }
}
