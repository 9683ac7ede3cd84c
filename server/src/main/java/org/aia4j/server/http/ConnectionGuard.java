package org.aia4j.server.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.aia4j.server.ConnectionLimits;
import org.aia4j.server.metrics.ServerMetrics;

/**
 * Watches every connection of the HTTP server: closes it when it is slow to send a request head
 * or a body, or idles ({@link ConnectionLimits}), closes new connections over the cap, and counts
 * each request with the status actually sent, or as aborted.
 *
 * <p>Vert.x has no public hook for "a request head began" or "a request body ended" on a
 * connection, and its own idle timeout also fires while a request is being answered (a long
 * batch, an event stream), so this is a Vert.x metrics SPI implementation: the SPI is told of
 * every connection, every request head and end, and every response end or reset, including
 * requests Vert.x refuses itself before any handler sees them. A sweep on the event loop closes
 * the connections past their deadline. A connection is in one of four phases:
 *
 * <ul>
 *   <li>header: just opened, no complete request head yet: at most {@code headerTimeoutMs} (a
 *       connection that sends nothing, or its headers a byte at a time, is cut here);
 *   <li>body: a request's head arrived, its body has not ended: at most {@code bodyTimeoutMs}
 *       from the head;
 *   <li>busy: every request read, a response is being produced: no deadline (the server, not
 *       the client, takes the time);
 *   <li>idle: its responses sent, kept alive for the next request: at most {@code idleTimeoutMs}
 *       until that request's head is complete.
 * </ul>
 *
 * The server speaks HTTP/1.x only (no cleartext HTTP/2), so a connection carries one request at
 * a time.
 */
public final class ConnectionGuard implements HttpServerMetrics<ConnectionGuard.Exchange, Void, ConnectionGuard.Watch> {
  /** Where a connection is; see the class comment. */
  enum Phase {
    HEADER, BODY, BUSY, IDLE;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final ConnectionLimits limits;
  private final ServerMetrics metrics;
  private final Map<String, Watch> watches = new ConcurrentHashMap<>();
  private final AtomicInteger open = new AtomicInteger();
  private volatile long sweeper = -1;

  /**
   * @param limits the timeouts and the cap
   * @param metrics where requests, refusals and timeouts are counted
   */
  public ConnectionGuard(ConnectionLimits limits, ServerMetrics metrics) {
    this.limits = limits;
    this.metrics = metrics;
    metrics.watchConnections(open::get);
  }

  /** @return a factory that hands this guard to Vert.x as its HTTP server metrics */
  public VertxMetricsFactory factory() {
    ConnectionGuard guard = this;
    return options -> new VertxMetrics() {
      @Override
      public HttpServerMetrics<?, ?, ?> createHttpServerMetrics(HttpServerOptions options, SocketAddress local) {
        return guard;
      }
    };
  }

  /** Starts sweeping for late connections, on an event loop of {@code vertx}. */
  public void start(Vertx vertx) {
    long shortest = Math.min(limits.idleTimeoutMs(), Math.min(limits.headerTimeoutMs(), limits.bodyTimeoutMs()));
    long tick = Math.max(20, Math.min(1_000, shortest / 4));
    sweeper = vertx.setPeriodic(tick, id -> sweep());
  }

  /** Stops sweeping. */
  public void stop(Vertx vertx) {
    if (sweeper >= 0) {
      vertx.cancelTimer(sweeper);
    }
  }

  /** @return connections open now */
  public int open() {
    return open.get();
  }

  /**
   * Called with each new HTTP connection: closes it at once when it is over the cap.
   *
   * @param connection the connection Vert.x accepted
   */
  public void accepted(HttpConnection connection) {
    Watch watch = watches.get(key(connection.remoteAddress()));
    if (watch == null) {
      return; // not seen by the SPI (cannot happen with this guard installed); nothing to enforce
    }
    boolean refuse;
    synchronized (watch) {
      watch.connection = connection;
      refuse = watch.refused;
    }
    if (refuse) {
      metrics.connectionRefused();
      connection.close();
    }
  }

  private void sweep() {
    long now = System.nanoTime();
    for (Watch watch : watches.values()) {
      HttpConnection late = null;
      Phase phase;
      synchronized (watch) {
        phase = watch.phase;
        long timeout = switch (phase) {
          case IDLE -> limits.idleTimeoutMs();
          case HEADER -> limits.headerTimeoutMs();
          case BODY -> limits.bodyTimeoutMs();
          case BUSY -> Long.MAX_VALUE;
        };
        if (watch.connection != null && !watch.closing && timeout != Long.MAX_VALUE
            && now - watch.since > TimeUnit.MILLISECONDS.toNanos(timeout)) {
          watch.closing = true;
          late = watch.connection;
        }
      }
      if (late != null) {
        metrics.connectionTimedOut(phase.label());
        late.close();
      }
    }
  }

  private static String key(SocketAddress address) {
    return address == null ? "" : address.hostAddress() + ":" + address.port();
  }

  // ---------------------------------------------------------------- the SPI

  @Override
  public Watch connected(SocketAddress remoteAddress, String remoteName) {
    Watch watch = new Watch(key(remoteAddress));
    watch.refused = open.incrementAndGet() > limits.maxConnections();
    watches.put(watch.key, watch);
    return watch;
  }

  @Override
  public void disconnected(Watch watch, SocketAddress remoteAddress) {
    if (watch != null) {
      open.decrementAndGet();
      watches.remove(watch.key, watch);
    }
  }

  @Override
  public Exchange requestBegin(Watch watch, HttpRequest request) {
    Exchange exchange = new Exchange(watch, Routes.endpoint(request.uri()));
    if (watch != null) {
      synchronized (watch) {
        watch.reading++;
        watch.pending++;
        if (watch.phase != Phase.BODY) {
          watch.enter(Phase.BODY);
        }
      }
    }
    return exchange;
  }

  @Override
  public void requestEnd(Exchange exchange, HttpRequest request, long bytesRead) {
    if (exchange != null) {
      exchange.requestDone(false);
    }
  }

  @Override
  public void responseEnd(Exchange exchange, HttpResponse response, long bytesWritten) {
    if (exchange != null && exchange.responseDone()) {
      metrics.request(exchange.endpoint, response.statusCode(), System.nanoTime() - exchange.start);
    }
  }

  @Override
  public void requestReset(Exchange exchange) {
    if (exchange != null) {
      exchange.requestDone(true);
      if (exchange.responseDone()) {
        metrics.aborted(exchange.endpoint, System.nanoTime() - exchange.start);
      }
    }
  }

  @Override
  public void requestRouted(Exchange exchange, String route) {
    // The endpoint is classified from the URI, so unrouted and refused requests are labelled too.
  }

  /** One connection as the guard sees it; guarded by its own monitor. */
  public static final class Watch {
    final String key;
    HttpConnection connection;
    boolean refused;
    boolean closing;
    Phase phase = Phase.HEADER;
    long since = System.nanoTime();
    int reading;
    int pending;

    Watch(String key) {
      this.key = key;
    }

    void enter(Phase next) {
      phase = next;
      since = System.nanoTime();
    }

    /** After a request or response ended: busy while a response is due, idle when none is. */
    void settle() {
      if (reading > 0) {
        return;
      }
      if (pending > 0) {
        if (phase != Phase.BUSY) {
          enter(Phase.BUSY);
        }
      } else if (phase != Phase.IDLE) {
        enter(Phase.IDLE);
      }
    }
  }

  /** One request on a connection. */
  public static final class Exchange {
    final Watch watch;
    final String endpoint;
    final long start = System.nanoTime();
    private boolean requestDone;
    private boolean responseDone;

    Exchange(Watch watch, String endpoint) {
      this.watch = watch;
      this.endpoint = endpoint;
    }

    /** Marks the request read; with {@code reset}, also its response over. */
    void requestDone(boolean reset) {
      if (watch == null) {
        return;
      }
      synchronized (watch) {
        if (!requestDone) {
          requestDone = true;
          watch.reading--;
        }
        watch.settle();
      }
    }

    /** @return true the first time: the response ended or was abandoned */
    boolean responseDone() {
      if (watch == null) {
        synchronized (this) {
          boolean first = !responseDone;
          responseDone = true;
          return first;
        }
      }
      synchronized (watch) {
        if (responseDone) {
          return false;
        }
        responseDone = true;
        watch.pending--;
        watch.settle();
        return true;
      }
    }
  }
}
