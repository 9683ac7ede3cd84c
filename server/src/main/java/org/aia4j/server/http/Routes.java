package org.aia4j.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.atomic.AtomicInteger;
import org.aia4j.server.ServerConfig;
import org.aia4j.server.ServerState;
import org.aia4j.server.batch.Batcher;
import org.aia4j.server.eval.EvaluationJobs;
import org.aia4j.server.metrics.ServerMetrics;

/**
 * The server's routes. Every handler only parses, checks, hands work off (to the batcher or a
 * worker thread) and replies; nothing here blocks the event loop. Every failure becomes an
 * OpenAI-shaped error, on every route and for every method (HEAD gets the error's headers):
 * unknown routes are 404, wrong methods 405, bodies over the limit 413, form and multipart
 * bodies 415, a full queue 429; requests Vert.x cannot parse, and HTTP/1.1 requests without a
 * {@code Host}, are 400 (414 and 431 for a request line or headers too long) before any route.
 */
public final class Routes {
  private Routes() {}

  /**
   * @param inFlight counts requests read whose response has not ended, for graceful shutdown
   * @param decoders the bounded pool that parses bodies and decodes images
   * @return the router
   */
  public static Router router(Vertx vertx, ServerConfig config, ServerState state, ServerMetrics metrics,
      EvaluationJobs evaluations, AtomicInteger inFlight, WorkerExecutor decoders) {
    Router router = Router.router(vertx);
    ChatCompletions chat = new ChatCompletions(vertx, state, decoders);
    ImageGenerations images = new ImageGenerations(vertx, state);
    Models models = new Models(state);
    Completions completions = new Completions(vertx, state);
    Evaluations evals = new Evaluations(vertx, state, evaluations);

    if (config.apiKey() != null) {
      byte[] expected = ("Bearer " + config.apiKey()).getBytes(StandardCharsets.UTF_8);
      router.route("/v1/*").handler(ctx -> {
        String header = ctx.request().getHeader("Authorization");
        if (header == null || header.isBlank()) {
          Replies.refuse(ctx, new ApiException(401, "invalid_request_error", "missing_api_key", null,
              "You didn't provide an API key: send it as 'Authorization: Bearer YOUR_KEY'"));
        } else if (!MessageDigest.isEqual(expected, header.strip().getBytes(StandardCharsets.UTF_8))) {
          Replies.refuse(ctx, new ApiException(401, "invalid_request_error", "invalid_api_key", null,
              "Incorrect API key provided"));
        } else {
          ctx.next();
        }
      });
    }
    // Admission from the headers: a full queue or a server not ready refuses before the body is read.
    Handler<RoutingContext> admit = ctx -> {
      try {
        ServerState.Ready ready = state.require();
        Batcher batcher = ready.batcher();
        if (batcher.queuedRows() > 0 && batcher.queuedRows() >= batcher.settings().queueSize()) {
          metrics.rejected();
          Replies.refuse(ctx, new ApiException(429, "rate_limit_error", "queue_full", null, "The server is busy: "
              + batcher.queuedRows() + " of " + batcher.settings().queueSize() + " queued decode rows are taken; "
              + "retry later"));
          return;
        }
      } catch (ApiException e) {
        Replies.refuse(ctx, e);
        return;
      }
      ctx.next();
    };
    router.post("/v1/chat/completions").handler(admit);
    router.post("/v1/images/generations").handler(admit);
    Bodies bodies = new Bodies(config.bodyLimitBytes(), config.connections().bodyMemoryBytes(), inFlight);
    metrics.watchBodies(bodies::held);
    router.route().handler(bodies);

    router.get("/health").handler(ctx -> health(ctx, state));
    router.head("/health").handler(ctx -> health(ctx, state));
    router.get("/ping").handler(ctx -> Replies.json(ctx, 200, status("ok")));
    router.head("/ping").handler(ctx -> Replies.json(ctx, 200, status("ok")));
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape()));
    router.get("/v1/models").handler(safe(models::list));
    router.get("/v1/models/:id").handler(safe(models::one));
    router.post("/v1/chat/completions").handler(safe(chat::handle));
    router.post("/v1/images/generations").handler(safe(images::handle));
    router.post("/v1/completions").handler(safe(completions::handle));
    router.post("/v1/evaluations").handler(safe(evals::create));
    router.get("/v1/evaluations").handler(safe(evals::list));
    router.get("/v1/evaluations/:id").handler(safe(evals::one));
    router.delete("/v1/evaluations/:id").handler(safe(evals::delete));
    router.get("/v1/evaluations/:id/events").handler(safe(evals::events));

    router.route().failureHandler(ctx -> {
      if (ctx.failure() != null) {
        Replies.error(ctx, ctx.failure());
      } else {
        Replies.error(ctx, byStatus(ctx, ctx.statusCode(), config));
      }
    });
    for (int status : new int[] {400, 404, 405, 413, 415, 500, 501}) {
      router.errorHandler(status, ctx -> Replies.error(ctx, byStatus(ctx, status, config)));
    }
    return router;
  }

  /**
   * The server's request handler: refuses HTTP/1.1 requests without a {@code Host} (Vert.x Web
   * cannot route them), then hands the rest to the router.
   */
  public static Handler<HttpServerRequest> requests(Router router) {
    return request -> {
      if (request.version() == HttpVersion.HTTP_1_1 && request.authority() == null) {
        plain(request, new ApiException(400, "invalid_request_error", "missing_host", null,
            "HTTP/1.1 requests must carry a Host header"));
        return;
      }
      router.handle(request);
    };
  }

  /**
   * Answers requests Vert.x could not parse (a malformed request line, a bad header, a
   * Content-Length that is not a number): 414 for a request line too long, 431 for headers too
   * large, 400 otherwise, in the OpenAI error shape; then the connection is closed.
   */
  public static void invalid(HttpServerRequest request) {
    Throwable cause = request.decoderResult() == null ? null : request.decoderResult().cause();
    ApiException api;
    String message = cause == null ? "" : String.valueOf(cause.getMessage());
    if (cause instanceof TooLongFrameException && message.startsWith("An HTTP line is larger than")) {
      api = new ApiException(414, "invalid_request_error", "uri_too_long", null, "The request line is too long");
    } else if (cause instanceof TooLongFrameException) {
      api = new ApiException(431, "invalid_request_error", "headers_too_large", null, "The request headers are too large");
    } else {
      api = new ApiException(400, "invalid_request_error", "malformed_request", null,
          "The request is not valid HTTP" + (message.isEmpty() || message.equals("null") ? ""
              : ": " + (message.length() > 200 ? message.substring(0, 200) + "..." : message)));
    }
    plain(request, api);
  }

  /** An error reply outside the router; the connection is closed after it. */
  private static void plain(HttpServerRequest request, ApiException api) {
    HttpServerResponse response = request.response();
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(api.status()).putHeader("Content-Type", "application/json")
        .putHeader("Connection", "close")
        .end(Replies.errorJson(api).toString())
        .onComplete(done -> request.connection().close());
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
      case 405, 501 -> new ApiException(405, "invalid_request_error", "method_not_allowed", null,
          "Method not allowed (" + what + ")");
      case 413 -> new ApiException(413, "invalid_request_error", "request_too_large", null,
          "The request body is larger than the limit of " + config.bodyLimitBytes() + " bytes");
      case 415 -> new ApiException(415, "invalid_request_error", "unsupported_media_type", null,
          "Send the request as JSON (Content-Type: application/json)");
      case 400 -> ApiException.invalid("The request could not be read");
      case 401 -> new ApiException(401, "invalid_request_error", "invalid_api_key", null, "Unauthorized");
      default -> status >= 400 && status < 500
          ? new ApiException(status, "invalid_request_error", "invalid_request", null, "The request was refused")
          : new ApiException(500, "server_error", "internal_error", null,
              "The server had an error while processing your request");
    };
  }

  /**
   * The metrics label of a request target: the route, not the raw path, so ids do not multiply
   * series. Query and fragment are ignored, repeated slashes and a trailing slash too (the
   * router treats them alike); anything that is no route is {@code other}.
   */
  static String endpoint(String uri) {
    if (uri == null) {
      return "other";
    }
    String path = uri;
    int scheme = path.indexOf("://");
    if (scheme >= 0 && scheme < 8) {
      int slash = path.indexOf('/', scheme + 3);
      path = slash < 0 ? "/" : path.substring(slash);
    }
    int cut = path.length();
    for (char c : new char[] {'?', '#'}) {
      int at = path.indexOf(c);
      if (at >= 0 && at < cut) {
        cut = at;
      }
    }
    path = path.substring(0, cut).replaceAll("/{2,}", "/");
    if (path.length() > 1 && path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return switch (path) {
      case "/health", "/ping", "/metrics", "/v1/models", "/v1/chat/completions", "/v1/images/generations",
          "/v1/evaluations" -> path;
      default -> {
        if (path.matches("/v1/evaluations/[^/]+")) {
          yield "/v1/evaluations/{id}";
        }
        if (path.matches("/v1/evaluations/[^/]+/events")) {
          yield "/v1/evaluations/{id}/events";
        }
        yield path.matches("/v1/models/[^/]+") ? "/v1/models/{id}" : "other";
      }
    };
  }
}
