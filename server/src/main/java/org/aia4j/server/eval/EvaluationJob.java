package org.aia4j.server.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.aia4j.evaluation.run.EvalSummary;

/**
 * One evaluation job and how far it has got; safe to read from any thread. Listeners hear of
 * every change (progress, a finished benchmark, the end) on the job's thread. A job that
 * succeeded has its {@link EvalSummary}, also written to {@code outDir/summary.json}.
 */
public final class EvaluationJob {
  /** Where a job is. */
  public enum Status {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    /** @return true once the job will not change again */
    public boolean finished() {
      return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    String json() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String id;
  private final EvaluationSpec spec;
  private final String model;
  private final Path outDir;
  private final long createdAt = System.currentTimeMillis() / 1000;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, EvalSummary.SuiteResult> results = new LinkedHashMap<>();
  private EvalSummary summary;
  private Status status = Status.QUEUED;
  private long startedAt;
  private long finishedAt;
  private String benchmark = "";
  private long done;
  private long total;
  private String message = "";
  private String error;
  private long finishedAtMillis;
  private volatile boolean cancelled;

  EvaluationJob(String id, EvaluationSpec spec, String model, Path outDir) {
    this.id = id;
    this.spec = spec;
    this.model = model;
    this.outDir = outDir;
  }

  /** @return the job's id */
  public String id() {
    return id;
  }

  /** @return where its outputs go */
  public Path outDir() {
    return outDir;
  }

  /** @return true once a cancellation was asked for (DELETE) */
  public boolean cancelRequested() {
    return cancelled;
  }

  void requestCancel() {
    cancelled = true;
  }

  /** @return when it finished, in epoch milliseconds, or 0 while it has not */
  synchronized long finishedAtMillis() {
    return finishedAtMillis;
  }

  /** @return its status now */
  public synchronized Status status() {
    return status;
  }

  /** Adds a listener told of every change; returns the action that removes it. */
  public Runnable listen(Runnable listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  synchronized void started() {
    status = Status.RUNNING;
    startedAt = System.currentTimeMillis() / 1000;
    changed();
  }

  void progress(String name, long itemsDone, long items, String what) {
    synchronized (this) {
      benchmark = name;
      done = itemsDone;
      total = items;
      message = what == null ? "" : what;
    }
    changed();
  }

  void finished(String name, EvalSummary.SuiteResult result) {
    synchronized (this) {
      results.put(name, result);
    }
    changed();
  }

  /** @return the run's summary once the job has succeeded, else null */
  public synchronized EvalSummary summary() {
    return summary;
  }

  void succeeded(EvalSummary done) {
    synchronized (this) {
      summary = done;
    }
    ended(Status.SUCCEEDED, null);
  }

  void ended(Status end, String why) {
    synchronized (this) {
      status = end;
      error = why;
      finishedAtMillis = System.currentTimeMillis();
      finishedAt = finishedAtMillis / 1000;
    }
    changed();
  }

  private void changed() {
    for (Runnable listener : listeners) {
      listener.run();
    }
  }

  /**
   * The job as the API shows it: its status, settings and progress, the scores of the suites
   * finished so far under {@code results}, and once it has succeeded the run's {@link
   * EvalSummary} under {@code summary}, exactly as its {@code summary.json} holds it.
   *
   * @return the job as JSON
   */
  public synchronized ObjectNode toJson() {
    ObjectNode node = JSON.createObjectNode();
    node.put("id", id);
    node.put("object", "evaluation");
    node.put("model", model);
    node.put("status", status.json());
    node.put("created_at", createdAt);
    if (startedAt > 0) {
      node.put("started_at", startedAt);
    }
    if (finishedAt > 0) {
      node.put("finished_at", finishedAt);
    }
    node.set("benchmarks", JSON.valueToTree(spec.benchmarks()));
    node.set("settings", JSON.valueToTree(spec.settings()));
    ObjectNode progress = node.putObject("progress");
    progress.put("benchmark", benchmark);
    progress.put("done", done);
    progress.put("total", total);
    progress.put("message", message);
    ObjectNode scores = node.putObject("results");
    results.forEach((name, result) -> scores.set(name, JSON.valueToTree(result)));
    node.put("output_dir", outDir.toString());
    if (summary != null) {
      node.put("summary_file", outDir.resolve(EvalSummary.FILE_NAME).toString());
      node.set("summary", summary.toJson());
    }
    if (error != null) {
      node.put("error", error);
    }
    return node;
  }
}
