package org.aia4j.server.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads request bodies, in place of Vert.x's {@code BodyHandler}, deciding from the headers
 * alone what it can before any byte of the body is buffered: a declared {@code Content-Length}
 * over the limit is 413, a form or multipart body 415 (never handed to a form decoder), a body
 * that does not fit the server-wide budget of buffered bytes 429. Such early refusals close the
 * connection after the reply, so the unread body is never received. {@code Expect:
 * 100-continue} is answered only once the body is admitted. A body sent in chunks is held to
 * the same limit and budget as it grows.
 *
 * <p>The body is put in the routing context under {@link #KEY}; {@link Replies#body} takes it
 * from there once, which gives its bytes back to the budget. A request counts as in flight (for
 * graceful shutdown) only once its body has arrived: a half-sent body does not hold up shutdown.
 */
final class Bodies implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(Bodies.class);

  /** The context key of the body. */
  static final String KEY = "aia4j.body";
  private static final String HELD = "aia4j.body.held";

  private final long limit;
  private final long budget;
  private final AtomicLong held = new AtomicLong();
  private final AtomicInteger inFlight;

  /**
   * @param limit largest body, in bytes
   * @param budget most body bytes held at once, over all requests
   * @param inFlight counts requests read whose response has not ended
   */
  Bodies(long limit, long budget, AtomicInteger inFlight) {
    this.limit = limit;
    this.budget = budget;
    this.inFlight = inFlight;
  }

  /** @return body bytes held now */
  long held() {
    return held.get();
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String lengthHeader = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    boolean chunked = request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
    long declared = 0;
    if (lengthHeader != null) {
      try {
        declared = Long.parseLong(lengthHeader.strip());
      } catch (NumberFormatException e) {
        declared = -1;
      }
      if (declared < 0) {
        Replies.refuse(ctx, ApiException.invalid(null, "invalid_content_length",
            "Content-Length must be a number of bytes, got '" + abbreviate(lengthHeader) + "'"));
        return;
      }
    }
    if (request.isEnded() || (!chunked && declared == 0)) {
      admitted(ctx, null);
      return;
    }
    if (declared > limit) {
      Replies.refuse(ctx, tooLarge());
      return;
    }
    String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
    if (type != null) {
      String mime = type.strip().toLowerCase(Locale.ROOT);
      if (mime.startsWith("application/x-www-form-urlencoded") || mime.startsWith("multipart/")) {
        Replies.refuse(ctx, new ApiException(415, "invalid_request_error", "unsupported_media_type", null,
            "Form and multipart bodies are not accepted: send the request as JSON (Content-Type: application/json)"));
        return;
      }
    }
    Hold hold = new Hold();
    ctx.put(HELD, hold);
    ctx.addEndHandler(done -> hold.release());
    if (!hold.take(declared)) {
      Replies.refuse(ctx, busy());
      return;
    }
    if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
      request.response().writeContinue();
    }
    Buffer body = Buffer.buffer((int) Math.min(declared, 1 << 20));
    AtomicBoolean refused = new AtomicBoolean();
    request.handler(chunk -> {
      if (refused.get()) {
        return;
      }
      long size = (long) body.length() + chunk.length();
      if (size > limit) {
        refused.set(true);
        Replies.refuse(ctx, tooLarge());
        return;
      }
      if (size > hold.bytes && !hold.take(size - hold.bytes)) {
        refused.set(true);
        Replies.refuse(ctx, busy());
        return;
      }
      body.appendBuffer(chunk);
    });
    request.exceptionHandler(failure -> {
      // The client went away or broke the framing mid-body: nobody is left to answer.
      LOG.info("A request body was not received whole: {}", Replies.describe(failure));
      hold.release();
    });
    request.endHandler(v -> {
      if (!refused.get()) {
        admitted(ctx, body);
      }
    });
    request.resume();
  }

  private void admitted(RoutingContext ctx, Buffer body) {
    if (body != null) {
      ctx.put(KEY, body);
    }
    inFlight.incrementAndGet();
    ctx.addEndHandler(done -> inFlight.decrementAndGet());
    ctx.next();
  }

  /** Gives the body's bytes back to the budget: called once it has been parsed. */
  static void release(RoutingContext ctx) {
    ctx.remove(KEY);
    Hold hold = ctx.get(HELD);
    if (hold != null) {
      hold.release();
    }
  }

  private ApiException tooLarge() {
    return new ApiException(413, "invalid_request_error", "request_too_large", null,
        "The request body is larger than the limit of " + limit + " bytes");
  }

  private ApiException busy() {
    return new ApiException(429, "rate_limit_error", "server_busy", null, "The server holds " + held.get()
        + " bytes of request bodies, its limit is " + budget + "; retry later");
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  /** The bytes of the budget one request holds. */
  private final class Hold {
    long bytes;
    boolean released;

    synchronized boolean take(long more) {
      if (released || more <= 0) {
        return !released;
      }
      while (true) {
        long now = held.get();
        if (now + more > budget) {
          return false;
        }
        if (held.compareAndSet(now, now + more)) {
          bytes += more;
          return true;
        }
      }
    }

    synchronized void release() {
      if (!released) {
        released = true;
        held.addAndGet(-bytes);
        bytes = 0;
      }
    }
  }
}
