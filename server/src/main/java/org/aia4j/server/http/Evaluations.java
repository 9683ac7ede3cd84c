package org.aia4j.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.aia4j.evaluation.run.EvalSettings;
import org.aia4j.server.ServerState;
import org.aia4j.server.batch.BatchedModel;
import org.aia4j.server.eval.EvaluationJob;
import org.aia4j.server.eval.EvaluationJobs;
import org.aia4j.server.eval.EvaluationSpec;

/**
 * Evaluation jobs over HTTP: {@code POST /v1/evaluations} starts one (202, with its id), {@code
 * GET /v1/evaluations} lists them, {@code GET /v1/evaluations/{id}} gives status, progress and
 * scores (once it has succeeded, its {@code summary.json} record under {@code summary}), {@code
 * GET /v1/evaluations/{id}/events} streams them as server-sent events ({@code event: progress},
 * then one {@code event: done}), and {@code DELETE /v1/evaluations/{id}} cancels a job and
 * removes it with its outputs. A job request names its {@code benchmarks}; an unknown field is
 * refused, not ignored.
 */
final class Evaluations {
  /** The fields a job request may carry. */
  static final Set<String> FIELDS = new LinkedHashSet<>(List.of("benchmarks", "model", "limit",
      "samples", "cfg", "temperature", "answer_temperature", "top_k", "seed", "batch", "world", "images_only",
      "geneval_metadata"));

  private final Vertx vertx;
  private final ServerState state;
  private final EvaluationJobs jobs;

  Evaluations(Vertx vertx, ServerState state, EvaluationJobs jobs) {
    this.vertx = vertx;
    this.state = state;
    this.jobs = jobs;
  }

  void create(RoutingContext ctx) {
    ServerState.Ready ready = state.require();
    // Creating suites reads or builds their data: a worker thread's job, not the event loop's.
    vertx.executeBlocking(() -> start(Replies.body(ctx), ready), false)
        .onSuccess(job -> {
          ctx.response().putHeader("Location", "/v1/evaluations/" + job.id());
          Replies.json(ctx, 202, job.toJson());
        })
        .onFailure(failure -> Replies.error(ctx, failure));
  }

  private EvaluationJob start(JsonNode body, ServerState.Ready ready) {
    EvaluationSpec spec = parse(body, ready.model().model().info().backend());
    if (body.has("model") && !body.get("model").isNull()) {
      Models.check(ready.model(), Fields.of(body, "").string("model", null), "model");
    }
    try {
      return jobs.start(spec, new BatchedModel(ready.model(), ready.batcher()));
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid("benchmarks", "invalid_value", e.getMessage());
    } catch (IllegalStateException e) {
      if (String.valueOf(e.getMessage()).contains("shutting down")) {
        throw e; // 503
      }
      throw new ApiException(429, "rate_limit_error", "too_many_jobs", null, e.getMessage());
    }
  }

  void list(RoutingContext ctx) {
    ObjectNode root = Replies.JSON.createObjectNode();
    root.put("object", "list");
    var data = root.putArray("data");
    jobs.list().forEach(job -> data.add(job.toJson()));
    Replies.json(ctx, 200, root);
  }

  /** {@code DELETE /v1/evaluations/{id}}: cancels the job if it runs, forgets it and removes its outputs. */
  void delete(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    vertx.executeBlocking(() -> jobs.delete(id), false)
        .onSuccess(found -> {
          if (found.isEmpty()) {
            Replies.error(ctx, ApiException.notFound("evaluation_not_found", "id", "No evaluation job '" + id + "'"));
            return;
          }
          ObjectNode root = Replies.JSON.createObjectNode();
          root.put("id", id);
          root.put("object", "evaluation.deleted");
          root.put("deleted", true);
          root.put("status", found.get().status().name().toLowerCase(Locale.ROOT));
          Replies.json(ctx, 200, root);
        })
        .onFailure(failure -> Replies.error(ctx, failure));
  }

  void one(RoutingContext ctx) {
    Replies.json(ctx, 200, job(ctx).toJson());
  }

  void events(RoutingContext ctx) {
    EvaluationJob job = job(ctx);
    HttpServerResponse response = ctx.response();
    response.setStatusCode(200).setChunked(true)
        .putHeader("Content-Type", "text/event-stream")
        .putHeader("Cache-Control", "no-cache");
    Context context = vertx.getOrCreateContext();
    AtomicBoolean scheduled = new AtomicBoolean();
    AtomicBoolean over = new AtomicBoolean();
    List<Runnable> stop = new ArrayList<>(1);
    // Changes are coalesced: at most one pending send, which reads the newest state.
    Runnable send = () -> {
      scheduled.set(false);
      if (over.get() || response.ended() || response.closed()) {
        return;
      }
      boolean finished = job.status().finished();
      response.write("event: " + (finished ? "done" : "progress") + "\ndata: " + job.toJson() + "\n\n");
      if (finished) {
        over.set(true);
        stop.forEach(Runnable::run);
        response.end();
      }
    };
    stop.add(job.listen(() -> {
      if (scheduled.compareAndSet(false, true)) {
        context.runOnContext(v -> send.run());
      }
    }));
    response.closeHandler(v -> stop.forEach(Runnable::run));
    send.run();
  }

  private EvaluationJob job(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    return jobs.get(id).orElseThrow(() -> ApiException.notFound("evaluation_not_found", "id",
        "No evaluation job '" + id + "'"));
  }

  /**
   * A job request as the settings {@code aia eval} takes, with its defaults for what the request
   * leaves out; the served model runs on the CPU ({@code aia serve} loads it there).
   *
   * @param backend the backend serving the model, recorded in the settings
   */
  static EvaluationSpec parse(JsonNode body, String backend) {
    Fields fields = Fields.of(body, "");
    // A job costs minutes of model time: a misspelt field must not silently run the defaults.
    for (var it = body.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!FIELDS.contains(name)) {
        throw ApiException.invalid(name, "unknown_parameter", "Unrecognized request argument supplied: '" + name
            + "'. Known arguments: " + String.join(", ", FIELDS));
      }
    }
    List<String> benchmarks = new ArrayList<>();
    JsonNode list = fields.required("benchmarks");
    if (list.isTextual()) {
      for (String name : list.asText().split(",")) {
        if (!name.isBlank()) {
          benchmarks.add(name.strip());
        }
      }
    } else if (list.isArray()) {
      for (int i = 0; i < list.size(); i++) {
        if (!list.get(i).isTextual()) {
          throw fields.wrongType("benchmarks[" + i + "]", "a string", list.get(i));
        }
        benchmarks.add(list.get(i).asText().strip());
      }
    } else {
      throw fields.wrongType("benchmarks", "an array of benchmark names", list);
    }
    if (benchmarks.isEmpty()) {
      throw ApiException.invalid("benchmarks", "invalid_value", "'benchmarks' names no benchmark. Known benchmarks: "
          + String.join(", ", EvaluationJobs.known()));
    }
    EvalSettings defaults = EvalSettings.defaults(backend);
    int limit = (int) fields.integer("limit", defaults.limit(), 0, 1_000_000);
    int samples = (int) fields.integer("samples", defaults.samples(), 1, 64);
    double cfg = fields.number("cfg", defaults.cfg(), 0.0, 50.0);
    double temperature = fields.number("temperature", defaults.temperature(), 0.0, 10.0);
    double answerTemperature = fields.number("answer_temperature", defaults.answerTemperature(), 0.0, 10.0);
    int topK = (int) fields.integer("top_k", defaults.topK(), 0, 1_000_000);
    long seed = fields.integer("seed", defaults.seed(), Long.MIN_VALUE, Long.MAX_VALUE);
    int batch = (int) fields.integer("batch", defaults.batch(), 1, 1024);
    String world = fields.string("world", defaults.world());
    boolean imagesOnly = fields.bool("images_only", false);
    // A metadata file on the server's disk, e.g. the official evaluation_metadata.jsonl to hand off.
    String metadata = fields.string("geneval_metadata", null);
    if (metadata != null && !Files.isRegularFile(Path.of(metadata))) {
      throw ApiException.invalid("geneval_metadata", "invalid_value", "'geneval_metadata' " + metadata
          + " is not a file on the server");
    }
    // The job has no profiling data (the server does not know the model's training world): no curves.
    return new EvaluationSpec(benchmarks, new EvalSettings(limit, samples, cfg, temperature, answerTemperature, topK,
        seed, batch, backend, defaults.device(), metadata, null, 0, world, imagesOnly));
  }
}
