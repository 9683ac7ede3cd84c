package org.aia4j.evaluation.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.aia4j.api.benchmark.Benchmark;
import org.aia4j.api.benchmark.BenchmarkOptions;
import org.aia4j.api.benchmark.ProgressListener;
import org.aia4j.api.data.TrainingData;
import org.aia4j.api.model.InteractionProfile;
import org.aia4j.api.model.Task;
import org.aia4j.api.model.UnifiedModel;

/**
 * One evaluation run: every suite on one model, then the interaction curves, then {@code
 * summary.json}. It sees the model only as {@link UnifiedModel}, so it runs on every backend;
 * {@code aia eval}, the server's evaluation jobs and the experiment loops all run this.
 *
 * <p>Outputs: {@code out/<benchmark>/} per suite (images, predictions, the suite's own results)
 * and {@code out/summary.json} ({@link EvalSummary#write}).
 */
public final class Evaluation {
  private final Path out;
  private final EvalSummary.CheckpointSource checkpoint;
  private final TrainingData profilingData;
  private final Double loadSeconds;

  private Evaluation(Path out, EvalSummary.CheckpointSource checkpoint, TrainingData profilingData,
      Double loadSeconds) {
    this.out = Objects.requireNonNull(out, "out");
    this.checkpoint = checkpoint;
    this.profilingData = profilingData;
    this.loadSeconds = loadSeconds;
  }

  /**
   * @param out the run directory, created if missing
   * @return an evaluation writing there, of a model of unknown origin, without curves
   */
  public static Evaluation into(Path out) {
    return new Evaluation(out, null, null, null);
  }

  /**
   * @param source the checkpoint the model was loaded from, recorded in the summary
   * @return this evaluation, recording it
   */
  public Evaluation checkpoint(EvalSummary.CheckpointSource source) {
    return new Evaluation(out, source, profilingData, loadSeconds);
  }

  /**
   * @param data the samples the interaction curves are measured on (usually the checkpoint's
   *     training world), or null for no curves
   * @return this evaluation, measuring on it
   */
  public Evaluation profilingData(TrainingData data) {
    return new Evaluation(out, checkpoint, data, loadSeconds);
  }

  /**
   * @param seconds how long the caller took to load the model, recorded as {@code seconds.load}
   *     and counted in {@code seconds.total}
   * @return this evaluation, recording it
   */
  public Evaluation loadSeconds(double seconds) {
    return new Evaluation(out, checkpoint, profilingData, seconds);
  }

  /**
   * Runs the suites in order, measures the curves and writes {@code summary.json}.
   *
   * @param model the model; not closed
   * @param suites the benchmarks by name ({@link EvalSuites#create})
   * @param settings the run's settings; each suite runs with {@link EvalSettings#options}
   * @param progress told of each suite
   * @return the summary, as written
   * @throws IOException if a suite cannot read its data or write its outputs, or the summary
   *     cannot be written
   */
  public EvalSummary run(UnifiedModel model, Map<String, Benchmark> suites, EvalSettings settings,
      EvalProgress progress) throws IOException {
    if (suites.isEmpty()) {
      throw new IllegalArgumentException("an evaluation needs at least one suite");
    }
    long begin = System.nanoTime();
    Map<String, Double> seconds = new LinkedHashMap<>();
    if (loadSeconds != null) {
      seconds.put("load", loadSeconds);
    }
    Files.createDirectories(out);
    Map<String, EvalSummary.SuiteResult> results = new LinkedHashMap<>();
    Map<String, JsonNode> handOffs = new LinkedHashMap<>();
    for (Map.Entry<String, Benchmark> entry : suites.entrySet()) {
      String name = entry.getKey();
      Benchmark suite = entry.getValue();
      BenchmarkOptions options = settings.options(name);
      long start = System.nanoTime();
      EvalSummary.SuiteResult result = null;
      try {
        ProgressListener listener = progress.suiteStarted(name, options.effectiveSize(suite.size()), suite.size());
        if (settings.imagesOnly()) {
          handOffs.put(name, EvalSummary.json(suite.handOff(model, options, out.resolve(name), listener)));
        } else {
          result = EvalSummary.SuiteResult.of(suite.run(model, options, out.resolve(name), listener));
          results.put(name, result);
        }
      } finally {
        seconds.put(name, since(start));
        progress.suiteFinished(name, result, seconds.get(name));
      }
    }
    long start = System.nanoTime();
    Map<String, EvalSummary.Curve> interaction = interactions(model, settings.interactionSamples(), settings.curves(),
        progress);
    seconds.put("interaction", since(start));
    seconds.put("total", since(begin) + (loadSeconds == null ? 0 : loadSeconds));
    EvalSummary summary = new EvalSummary(EvalSummary.FORMAT, EvalSummary.VERSION, checkpoint, model.info(), settings,
        results, handOffs, interaction, EvalSummary.Versions.current(), seconds);
    summary.write(out);
    return summary;
  }

  /** Per task, the model's interaction curve on the profiling data, if it can say. */
  private Map<String, EvalSummary.Curve> interactions(UnifiedModel model, int samples, CurveOptions sets,
      EvalProgress progress) {
    Map<String, EvalSummary.Curve> curves = new LinkedHashMap<>();
    if (profilingData == null || samples == 0) {
      progress.note("No interaction curves: " + (samples == 0 ? "0 interaction samples asked for"
          : "the data the model was trained on is not known"));
      return curves;
    }
    for (Task task : List.of(Task.UNDERSTANDING, Task.GENERATION)) {
      Optional<InteractionProfile> profile = model.interactions(sets.toRoles(task), profilingData, samples);
      if (profile.isEmpty()) {
        progress.note("No " + task.shortName() + " interaction curve: the model cannot be inspected on its data");
        continue;
      }
      curves.put(task.shortName(), EvalSummary.Curve.of(profile.get()));
    }
    return curves;
  }

  private static double since(long nanos) {
    return Math.round((System.nanoTime() - nanos) / 1e7) / 100.0;
  }
}
