package org.aia4j.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.atomic.AtomicInteger;
import org.aia4j.server.ServerConfig;
import org.aia4j.server.ServerState;
import org.aia4j.server.eval.EvaluationJobs;
import org.aia4j.server.metrics.ServerMetrics;

/**
 * The server's routes. Every handler only parses, checks, hands work off (to the batcher or a
 * worker thread) and replies; nothing here blocks the event loop. Every failure becomes an
 * OpenAI-shaped error; unknown routes are 404, wrong methods 405, bodies over the limit 413.
 */
public final class Routes {
  private Routes() {}

  /**
   * @param inFlight counts requests whose response has not ended, for graceful shutdown
   * @return the router
   */
  public static Router router(Vertx vertx, ServerConfig config, ServerState state, ServerMetrics metrics,
      EvaluationJobs evaluations, AtomicInteger inFlight) {
    Router router = Router.router(vertx);
    ChatCompletions chat = new ChatCompletions(vertx, state);
    ImageGenerations images = new ImageGenerations(vertx, state);
    Models models = new Models(state);
    Evaluations evals = new Evaluations(vertx, state, evaluations);

    router.route().handler(ctx -> {
      long start = System.nanoTime();
      inFlight.incrementAndGet();
      ctx.addEndHandler(done -> {
        inFlight.decrementAndGet();
        metrics.request(endpoint(ctx.normalizedPath()), ctx.response().getStatusCode(), System.nanoTime() - start);
      });
      ctx.next();
    });
    if (config.apiKey() != null) {
      byte[] expected = ("Bearer " + config.apiKey()).getBytes(StandardCharsets.UTF_8);
      router.route("/v1/*").handler(ctx -> {
        String header = ctx.request().getHeader("Authorization");
        if (header == null || header.isBlank()) {
          Replies.error(ctx, new ApiException(401, "invalid_request_error", "missing_api_key", null,
              "You didn't provide an API key: send it as 'Authorization: Bearer YOUR_KEY'"));
        } else if (!MessageDigest.isEqual(expected, header.strip().getBytes(StandardCharsets.UTF_8))) {
          Replies.error(ctx, new ApiException(401, "invalid_request_error", "invalid_api_key", null,
              "Incorrect API key provided"));
        } else {
          ctx.next();
        }
      });
    }
    router.route().handler(BodyHandler.create(false).setBodyLimit(config.bodyLimitBytes()));

    router.get("/health").handler(ctx -> health(ctx, state));
    router.get("/ping").handler(ctx -> Replies.json(ctx, 200, status("ok")));
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape()));
    router.get("/v1/models").handler(safe(models::list));
    router.get("/v1/models/:id").handler(safe(models::one));
    router.post("/v1/chat/completions").handler(safe(chat::handle));
    router.post("/v1/images/generations").handler(safe(images::handle));
    router.post("/v1/evaluations").handler(safe(evals::create));
    router.get("/v1/evaluations").handler(safe(evals::list));
    router.get("/v1/evaluations/:id").handler(safe(evals::one));
    router.get("/v1/evaluations/:id/events").handler(safe(evals::events));

    router.route().failureHandler(ctx -> {
      if (ctx.failure() != null) {
        Replies.error(ctx, ctx.failure());
      } else {
        Replies.error(ctx, byStatus(ctx, ctx.statusCode(), config));
      }
    });
    router.errorHandler(404, ctx -> Replies.error(ctx, byStatus(ctx, 404, config)));
    router.errorHandler(405, ctx -> Replies.error(ctx, byStatus(ctx, 405, config)));
    return router;
  }

  private static Handler<RoutingContext> safe(Handler<RoutingContext> handler) {
    return ctx -> {
      try {
        handler.handle(ctx);
      } catch (RuntimeException e) {
        Replies.error(ctx, e);
      }
    };
  }

  private static void health(RoutingContext ctx, ServerState state) {
    if (state.isDraining()) {
      Replies.json(ctx, 503, status("shutting_down"));
    } else if (state.isReady()) {
      ObjectNode ok = status("ok");
      ok.put("model", state.current().model().id());
      Replies.json(ctx, 200, ok);
    } else if (state.failure() != null) {
      ObjectNode failed = status("failed");
      failed.put("error", state.failure());
      Replies.json(ctx, 503, failed);
    } else {
      Replies.json(ctx, 503, status("loading"));
    }
  }

  private static ObjectNode status(String status) {
    ObjectNode node = Replies.JSON.createObjectNode();
    node.put("status", status);
    return node;
  }

  private static ApiException byStatus(RoutingContext ctx, int status, ServerConfig config) {
    String what = ctx.request().method() + " " + ctx.normalizedPath();
    return switch (status) {
      case 404 -> ApiException.notFound("unknown_url", null, "Invalid URL (" + what + ")");
      case 405 -> new ApiException(405, "invalid_request_error", "method_not_allowed", null,
          "Method not allowed (" + what + ")");
      case 413 -> new ApiException(413, "invalid_request_error", "request_too_large", null,
          "The request body is larger than the limit of " + config.bodyLimitBytes() + " bytes");
      case 400 -> ApiException.invalid("The request could not be read");
      case 401 -> new ApiException(401, "invalid_request_error", "invalid_api_key", null, "Unauthorized");
      default -> status >= 400 && status < 500
          ? new ApiException(status, "invalid_request_error", "invalid_request", null, "The request was refused")
          : new ApiException(500, "server_error", "internal_error", null,
              "The server had an error while processing your request");
    };
  }

  /** The metrics label of a path: the route, not the raw path, so ids do not multiply series. */
  static String endpoint(String path) {
    if (path == null) {
      return "other";
    }
    return switch (path) {
      case "/health", "/ping", "/metrics", "/v1/models", "/v1/chat/completions", "/v1/images/generations",
          "/v1/evaluations" -> path;
      default -> {
        if (path.startsWith("/v1/evaluations/")) {
          yield path.endsWith("/events") ? "/v1/evaluations/{id}/events" : "/v1/evaluations/{id}";
        }
        yield path.startsWith("/v1/models/") ? "/v1/models/{id}" : "other";
      }
    };
  }
}
