package org.aia4j.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.StreamResetException;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.aia4j.server.batch.QueueFullException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reading request JSON and writing JSON and OpenAI-shaped error replies. */
public final class Replies {
  private static final Logger LOG = LoggerFactory.getLogger(Replies.class);

  /** Strict JSON: duplicate keys and trailing content are errors. */
  public static final JsonMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private Replies() {}

  /** @return the body as a JSON object; its bytes are given back to the body budget */
  static JsonNode body(RoutingContext ctx) {
    Buffer buffer = ctx.get(Bodies.KEY);
    Bodies.release(ctx);
    if (buffer == null || buffer.length() == 0) {
      throw ApiException.invalid("The request body is empty: send a JSON object");
    }
    JsonNode node;
    try {
      node = JSON.readTree(buffer.getBytes());
    } catch (JsonProcessingException e) {
      throw ApiException.invalid(null, "invalid_json", "We could not parse the JSON body of your request: "
          + firstLine(e.getOriginalMessage()));
    } catch (IOException | RuntimeException e) {
      throw ApiException.invalid(null, "invalid_json", "We could not parse the JSON body of your request");
    }
    if (node == null || node.isMissingNode()) {
      throw ApiException.invalid("The request body is empty: send a JSON object");
    }
    Fields.of(node, "");
    return node;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "malformed JSON";
    }
    String line = message.lines().findFirst().orElse("malformed JSON");
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }

  /** Sends {@code node} as JSON with {@code status}. */
  static void json(RoutingContext ctx, int status, JsonNode node) {
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(status).putHeader("Content-Type", "application/json").end(node.toString());
  }

  /** Sends the error that {@code failure} stands for; only unexpected failures are logged, and never sent. */
  public static void error(RoutingContext ctx, Throwable failure) {
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed() || gone(failure)) {
      if (gone(failure) || response.closed()) {
        LOG.info("The client of {} {} went away: {}", ctx.request().method(), ctx.request().path(), describe(failure));
      }
      return;
    }
    ApiException api = toApi(failure);
    if (response.headWritten()) {
      // Mid-stream: the status is sent already; close the stream with an error event.
      response.end("data: " + errorJson(api) + "\n\ndata: [DONE]\n\n");
      return;
    }
    if (api.status() == 429) {
      response.putHeader("Retry-After", "1");
    }
    if (api.status() == 401) {
      response.putHeader("WWW-Authenticate", "Bearer");
    }
    json(ctx, api.status(), errorJson(api));
  }

  /**
   * Refuses a request before its body is read: the reply, with {@code Connection: close} when a
   * body is still to come; that body is then discarded, not buffered.
   */
  static void refuse(RoutingContext ctx, ApiException api) {
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed()) {
      return;
    }
    HttpServerRequest request = ctx.request();
    String length = request.getHeader("Content-Length");
    boolean unread = !request.isEnded() && (request.getHeader("Transfer-Encoding") != null
        || (length != null && !length.strip().equals("0")));
    boolean close = unread && request.version() != HttpVersion.HTTP_2;
    if (close) {
      response.putHeader("Connection", "close");
    }
    if (api.status() == 429) {
      response.putHeader("Retry-After", "1");
    }
    if (api.status() == 401) {
      response.putHeader("WWW-Authenticate", "Bearer");
    }
    if (close) {
      // The unread body is discarded as it comes, never held, and the connection closed when it
      // ends (or by the body timeout): closing at once would reset the connection while the
      // client still sends, and it might never read this reply.
      request.handler(chunk -> {});
      request.endHandler(v -> request.connection().close());
      request.resume();
    }
    response.setStatusCode(api.status()).putHeader("Content-Type", "application/json")
        .end(errorJson(api).toString());
  }

  /** @return true if {@code failure} means the client closed its connection or reset its stream */
  static boolean gone(Throwable failure) {
    for (Throwable e = failure; e != null; e = e.getCause() == e ? null : e.getCause()) {
      // Cancelled: the server cancelled the request's work because its client had gone.
      if (e instanceof CancellationException || e instanceof HttpClosedException || e instanceof StreamResetException
          || e instanceof ClosedChannelException
          || (e instanceof IOException && String.valueOf(e.getMessage()).matches("(?i).*(reset by peer|broken pipe).*"))
          || (e instanceof VertxException && String.valueOf(e.getMessage()).contains("closed"))) {
        return true;
      }
    }
    return false;
  }

  /** @return a one-line account of a failure, for logs */
  static String describe(Throwable failure) {
    if (failure == null) {
      return "connection closed";
    }
    String message = failure.getMessage();
    return failure.getClass().getSimpleName() + (message == null ? "" : ": " + firstLine(message));
  }

  static ObjectNode errorJson(ApiException api) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("message", api.getMessage());
    error.put("type", api.type());
    error.put("param", api.param());
    error.put("code", api.code());
    return root;
  }

  /** Maps any failure to the error a client should see. */
  static ApiException toApi(Throwable failure) {
    Throwable e = failure;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof ApiException api) {
      return api;
    }
    if (e instanceof QueueFullException full) {
      return new ApiException(429, "rate_limit_error", "queue_full", null, full.getMessage());
    }
    if (e instanceof IllegalArgumentException bad) {
      // The model's own checks of a request: bad input, never a server fault.
      return ApiException.invalid(null, "invalid_request", bad.getMessage());
    }
    if (e instanceof UnsupportedOperationException unsupported && unsupported.getMessage() != null) {
      // What the served model cannot do at all (a text-only decoder asked for images): the request's fault.
      return ApiException.invalid(null, "model_not_supported", unsupported.getMessage());
    }
    if (e instanceof IllegalStateException && String.valueOf(e.getMessage()).contains("shutting down")) {
      return new ApiException(503, "server_error", "shutting_down", null, "The server is shutting down");
    }
    LOG.error("Request failed", e);
    return new ApiException(500, "server_error", "internal_error", null,
        "The server had an error while processing your request");
  }
}
