package org.aia4j.server.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import org.aia4j.api.Registries;
import org.aia4j.api.benchmark.Benchmark;
import org.aia4j.api.benchmark.ProgressListener;
import org.aia4j.api.io.AtomicDirectory;
import org.aia4j.api.model.ModelInfo;
import org.aia4j.api.model.UnifiedModel;
import org.aia4j.evaluation.run.EvalProgress;
import org.aia4j.evaluation.run.EvalSuites;
import org.aia4j.evaluation.run.EvalSummary;
import org.aia4j.evaluation.run.Evaluation;
import org.aia4j.server.JobRetention;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluation jobs on the served model: benchmarks found in the registry, run one job at a time on
 * a thread of their own, their model calls going through the batcher (see {@code BatchedModel}).
 * A job runs what {@code aia eval} runs ({@link Evaluation}): outputs go to {@code
 * workDir/evaluations/<id>/<benchmark>/} and its {@code summary.json} beside them. Finished jobs are kept as the
 * {@link JobRetention} says, then forgotten and their outputs removed; {@link #delete} cancels a
 * job and removes it at once.
 */
public final class EvaluationJobs implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluationJobs.class);

  private static final ObjectMapper CONFIG = new ObjectMapper();

  private final Path workDir;
  private final int maxPending;
  private final JobRetention retention;
  private final Map<String, Entry> jobs = new LinkedHashMap<>();
  private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "aia-evaluations");
    t.setDaemon(true);
    return t;
  });

  /** A job, the model it calls and its task on the runner. */
  private record Entry(EvaluationJob job, UnifiedModel model, Future<?> task) {}

  /**
   * @param workDir where outputs go
   * @param maxPending most jobs queued or running at once
   * @param retention how long finished jobs are kept
   */
  public EvaluationJobs(Path workDir, int maxPending, JobRetention retention) {
    this.workDir = workDir;
    this.maxPending = maxPending;
    this.retention = retention;
  }

  /** @return the benchmarks jobs can run */
  public static List<String> known() {
    return Registries.benchmarks().names();
  }

  /**
   * Checks and queues a job.
   *
   * @param model the served model, batched; closed when the job ends or is cancelled
   * @throws IllegalArgumentException on an unknown benchmark (naming the known ones)
   * @throws IllegalStateException when too many jobs are pending or the server is closing
   */
  public synchronized EvaluationJob start(EvaluationSpec spec, UnifiedModel model) {
    long pending = jobs.values().stream().filter(e -> !e.job().status().finished()).count();
    if (pending >= maxPending) {
      throw new IllegalStateException("Too many evaluation jobs: " + pending + " are queued or running (at most "
          + maxPending + ")");
    }
    // Unknown names, empty suites: refused before the job is queued.
    Map<String, Benchmark> suites = EvalSuites.create(Registries.benchmarks(), spec.benchmarks(), spec.settings());
    String id = "eval-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    EvaluationJob job = new EvaluationJob(id, spec, model.name(), workDir.resolve("evaluations").resolve(id));
    Future<?> task;
    try {
      task = runner.submit(() -> run(job, suites, spec, model));
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("The server is shutting down");
    }
    jobs.put(id, new Entry(job, model, task));
    return job;
  }

  private void run(EvaluationJob job, Map<String, Benchmark> suites, EvaluationSpec spec, UnifiedModel model) {
    try {
      if (job.cancelRequested()) {
        job.ended(EvaluationJob.Status.CANCELLED, "Cancelled before it started");
        return;
      }
      job.started();
      // The same run as aia eval's: its summary.json and per-suite outputs land in the job's directory.
      EvalSummary summary = Evaluation.into(job.outDir()).checkpoint(source(model.info()))
          .run(model, suites, spec.settings(), progress(job));
      job.succeeded(summary);
    } catch (RuntimeException | Error e) {
      if (job.cancelRequested() || e instanceof CancellationException) {
        job.ended(EvaluationJob.Status.CANCELLED, job.cancelRequested() ? "Cancelled" : e.getMessage());
      } else if (e instanceof IllegalStateException && String.valueOf(e.getMessage()).contains("shutting down")) {
        job.ended(EvaluationJob.Status.CANCELLED, e.getMessage());
      } else {
        LOG.warn("Evaluation {} failed", job.id(), e);
        job.ended(EvaluationJob.Status.FAILED, e.getClass().getSimpleName() + ": " + e.getMessage());
      }
    } catch (Exception e) {
      LOG.warn("Evaluation {} failed", job.id(), e);
      job.ended(EvaluationJob.Status.FAILED, e.getClass().getSimpleName() + ": " + e.getMessage());
    } finally {
      Thread.interrupted(); // a cancellation's interrupt must not reach the next job
      try {
        model.close();
      } catch (RuntimeException e) {
        LOG.debug("Closing the evaluation's model failed", e);
      }
      boolean deleted;
      synchronized (this) {
        deleted = !jobs.containsKey(job.id());
      }
      if (deleted) {
        removeFiles(job); // DELETE came while it ran: its files go once nothing writes them
      }
      prune();
    }
  }

  /** The job's progress; a cancellation asked for while a suite ran stops the job once the suite ends. */
  private static EvalProgress progress(EvaluationJob job) {
    return new EvalProgress() {
      @Override
      public ProgressListener suiteStarted(String benchmark, int items, int size) {
        job.progress(benchmark, 0, items, "starting");
        return (done, total, message) -> job.progress(benchmark, done, total, message);
      }

      @Override
      public void suiteFinished(String benchmark, EvalSummary.SuiteResult result, double seconds) {
        if (result == null) {
          return; // the suite's own failure is what the job reports
        }
        job.finished(benchmark, result);
        if (job.cancelRequested()) {
          throw new CancellationException("Cancelled");
        }
      }

      @Override
      public void note(String message) {
        LOG.debug("Evaluation {}: {}", job.id(), message);
      }
    };
  }

  /**
   * The checkpoint the served model says it was loaded from, with its step and {@code
   * config.json} when they can be read; null when the model names no directory.
   */
  private static EvalSummary.CheckpointSource source(ModelInfo info) {
    String dir = info.provenance().getOrDefault("checkpoint", info.provenance().get("export"));
    if (dir == null || dir.isBlank()) {
      return null;
    }
    Path path = Path.of(dir).toAbsolutePath().normalize();
    JsonNode config = null;
    try {
      config = CONFIG.readTree(path.resolve("config.json").toFile());
    } catch (IOException e) {
      LOG.debug("No config.json beside the served model at {}: {}", path, e.getMessage());
    }
    Long step = config != null && config.path("step").isIntegralNumber() ? config.get("step").asLong() : null;
    return new EvalSummary.CheckpointSource(path.toString(), step, config);
  }

  /** @return the job with this id */
  public synchronized Optional<EvaluationJob> get(String id) {
    return Optional.ofNullable(jobs.get(id)).map(Entry::job);
  }

  /** @return every job, oldest first */
  public synchronized List<EvaluationJob> list() {
    return jobs.values().stream().map(Entry::job).toList();
  }

  /**
   * Cancels a job if it is queued or running and forgets it; its outputs are removed now if it
   * had finished, else as soon as its thread has stopped. Blocking (file removal): call it off the
   * event loop.
   *
   * @return the job, or empty if there is none with this id
   */
  public Optional<EvaluationJob> delete(String id) {
    Entry entry;
    synchronized (this) {
      entry = jobs.remove(id);
    }
    if (entry == null) {
      return Optional.empty();
    }
    EvaluationJob job = entry.job();
    if (job.status().finished()) {
      removeFiles(job);
    } else {
      job.requestCancel();
      entry.model().close(); // cancels its queued and decoding requests
      entry.task().cancel(true); // interrupts a wait for room in the queue; a queued task never runs
      if (entry.task().isCancelled() && job.status() == EvaluationJob.Status.QUEUED) {
        job.ended(EvaluationJob.Status.CANCELLED, "Cancelled before it started");
        removeFiles(job);
      }
    }
    return Optional.of(job);
  }

  /**
   * Applies the retention policy: forgets the finished jobs beyond the newest {@code
   * maxFinished} and those finished longer than {@code maxAgeMs} ago, and removes their outputs.
   * Blocking (file removal): call it off the event loop.
   */
  public void prune() {
    List<EvaluationJob> removed = new ArrayList<>();
    long now = System.currentTimeMillis();
    synchronized (this) {
      List<Entry> finished = jobs.values().stream().filter(e -> e.job().status().finished())
          .sorted(Comparator.comparingLong((Entry e) -> e.job().finishedAtMillis()).reversed()).toList();
      for (int i = 0; i < finished.size(); i++) {
        EvaluationJob job = finished.get(i).job();
        if (i >= retention.maxFinished() || now - job.finishedAtMillis() > retention.maxAgeMs()) {
          jobs.remove(job.id());
          removed.add(job);
        }
      }
    }
    removed.forEach(EvaluationJobs::removeFiles);
  }

  private static void removeFiles(EvaluationJob job) {
    try {
      AtomicDirectory.deleteTree(job.outDir());
    } catch (IOException e) {
      LOG.warn("Could not remove the outputs of evaluation {} at {}: {}", job.id(), job.outDir(), e.getMessage());
    }
  }

  /** Stops taking jobs; queued ones are cancelled, a running one ends when its model calls are refused. */
  @Override
  public void close() {
    List<Runnable> never = runner.shutdownNow();
    synchronized (this) {
      for (Entry entry : jobs.values()) {
        if (entry.job().status() == EvaluationJob.Status.QUEUED) {
          entry.job().ended(EvaluationJob.Status.CANCELLED, "The server shut down");
        }
      }
    }
    LOG.debug("{} evaluation jobs never started", never.size());
  }
}
