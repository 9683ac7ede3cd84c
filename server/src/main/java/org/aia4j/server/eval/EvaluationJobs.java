package org.aia4j.server.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.aia4j.api.Registries;
import org.aia4j.api.benchmark.Benchmark;
import org.aia4j.api.benchmark.BenchmarkProvider;
import org.aia4j.api.benchmark.BenchmarkScore;
import org.aia4j.api.model.UnifiedModel;
import org.aia4j.api.spi.ProviderRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluation jobs on the served model: benchmarks found in the registry, run one job at a time on
 * a thread of their own, their model calls going through the batcher (see {@code BatchedModel}).
 * Jobs and their outputs ({@code workDir/evaluations/<id>/<benchmark>/}) live as long as the
 * server.
 */
public final class EvaluationJobs implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluationJobs.class);

  private final Path workDir;
  private final int maxPending;
  private final Map<String, EvaluationJob> jobs = new LinkedHashMap<>();
  private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "aia-evaluations");
    t.setDaemon(true);
    return t;
  });

  /**
   * @param workDir where outputs go
   * @param maxPending most jobs queued or running at once
   */
  public EvaluationJobs(Path workDir, int maxPending) {
    this.workDir = workDir;
    this.maxPending = maxPending;
  }

  /** @return the benchmarks jobs can run */
  public static List<String> known() {
    return Registries.benchmarks().names();
  }

  /**
   * Checks and queues a job.
   *
   * @param model the served model, batched
   * @throws IllegalArgumentException on an unknown benchmark (naming the known ones)
   * @throws IllegalStateException when too many jobs are pending or the server is closing
   */
  public synchronized EvaluationJob start(EvaluationSpec spec, UnifiedModel model) {
    long pending = jobs.values().stream().filter(j -> !j.status().finished()).count();
    if (pending >= maxPending) {
      throw new IllegalStateException("Too many evaluation jobs: " + pending + " are queued or running (at most "
          + maxPending + ")");
    }
    Map<String, Benchmark> suites = suites(spec);
    String id = "eval-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    EvaluationJob job = new EvaluationJob(id, spec, model.name(), workDir.resolve("evaluations").resolve(id));
    try {
      runner.execute(() -> run(job, suites, spec, model));
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("The server is shutting down");
    }
    jobs.put(id, job);
    return job;
  }

  private static Map<String, Benchmark> suites(EvaluationSpec spec) {
    ProviderRegistry<BenchmarkProvider> registry = Registries.benchmarks();
    Map<String, Benchmark> suites = new LinkedHashMap<>();
    for (String requested : spec.benchmarks()) {
      String name = requested.strip().toLowerCase(Locale.ROOT);
      BenchmarkProvider provider = registry.find(name).orElseThrow(() -> new IllegalArgumentException(
          "Unknown benchmark '" + requested + "'. Known benchmarks: " + String.join(", ", registry.names())));
      Benchmark suite = provider.create(Map.of());
      if (suite.size() == 0) {
        throw new IllegalArgumentException("The " + name + " suite is empty: " + suite.description());
      }
      suites.put(provider.name(), suite);
    }
    return suites;
  }

  private static void run(EvaluationJob job, Map<String, Benchmark> suites, EvaluationSpec spec, UnifiedModel model) {
    job.started();
    try {
      for (Map.Entry<String, Benchmark> entry : suites.entrySet()) {
        String name = entry.getKey();
        Benchmark suite = entry.getValue();
        var options = spec.options(name);
        job.progress(name, 0, options.effectiveSize(suite.size()), "starting");
        BenchmarkScore score = suite.run(model, options, job.outDir().resolve(name),
            (done, total, message) -> job.progress(name, done, total, message));
        job.finished(name, score);
      }
      job.ended(EvaluationJob.Status.SUCCEEDED, null);
    } catch (CancellationException e) {
      job.ended(EvaluationJob.Status.CANCELLED, e.getMessage());
    } catch (IllegalStateException e) {
      job.ended(String.valueOf(e.getMessage()).contains("shutting down") ? EvaluationJob.Status.CANCELLED
          : EvaluationJob.Status.FAILED, e.getMessage());
    } catch (Exception | Error e) {
      LOG.warn("Evaluation {} failed", job.id(), e);
      job.ended(EvaluationJob.Status.FAILED, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /** @return the job with this id */
  public synchronized Optional<EvaluationJob> get(String id) {
    return Optional.ofNullable(jobs.get(id));
  }

  /** @return every job, oldest first */
  public synchronized List<EvaluationJob> list() {
    return new ArrayList<>(jobs.values());
  }

  /** Stops taking jobs; queued ones are cancelled, a running one ends when its model calls are refused. */
  @Override
  public void close() {
    List<Runnable> never = runner.shutdownNow();
    synchronized (this) {
      for (EvaluationJob job : jobs.values()) {
        if (job.status() == EvaluationJob.Status.QUEUED) {
          job.ended(EvaluationJob.Status.CANCELLED, "The server shut down");
        }
      }
    }
    LOG.debug("{} evaluation jobs never started", never.size());
  }
}
