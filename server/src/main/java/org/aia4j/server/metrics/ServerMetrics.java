package org.aia4j.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The server's Micrometer meters, scraped as Prometheus text at {@code /metrics}:
 *
 * <ul>
 *   <li>{@code aia_http_requests_total{endpoint,status}} and {@code aia_http_request_seconds{endpoint}}
 *       (with p50/p90/p99): every request and how long it took;
 *   <li>{@code aia_queue_rows}, {@code aia_queue_requests}: what waits in the batcher;
 *       {@code aia_queue_wait_seconds}: how long requests waited;
 *   <li>{@code aia_batch_requests{kind}}, {@code aia_batch_rows{kind}}, {@code
 *       aia_batch_seconds{kind}}: the size and time of each model call;
 *   <li>{@code aia_tokens_total{kind}} (answer tokens, image tokens) and {@code
 *       aia_tokens_per_second{kind}}, the speed of the last model call;
 *   <li>{@code aia_rejected_total}: requests refused with 429 because the queue was full;
 *       {@code aia_cancelled_total}: queued requests dropped because their client had gone;
 *   <li>{@code aia_request_body_bytes}: request-body bytes held (admitted, not yet parsed);
 *   <li>{@code aia_connections_open}, {@code aia_connections_refused_total} (over the cap) and
 *       {@code aia_connections_timed_out_total{phase}} (idle, header or body timeout).
 * </ul>
 *
 * Requests are counted with the status actually sent, once the response has ended; a request
 * whose connection closed before its response ended counts as {@code status="aborted"}.
 */
public final class ServerMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicReference<IntSupplier> queueRows = new AtomicReference<>(() -> 0);
  private final AtomicReference<IntSupplier> queueRequests = new AtomicReference<>(() -> 0);
  private final double[] lastSpeed = new double[2];
  private final Counter rejected;
  private final Timer queueWait;

  public ServerMetrics() {
    registry.config().commonTags("application", "aia4j");
    Gauge.builder("aia_queue_rows", () -> queueRows.get().getAsInt())
        .description("Decode rows waiting in the batcher").register(registry);
    Gauge.builder("aia_queue_requests", () -> queueRequests.get().getAsInt())
        .description("Requests waiting in the batcher").register(registry);
    Gauge.builder("aia_tokens_per_second", lastSpeed, s -> s[0]).tag("kind", "answer")
        .description("Tokens per second of the last model call").register(registry);
    Gauge.builder("aia_tokens_per_second", lastSpeed, s -> s[1]).tag("kind", "image")
        .description("Tokens per second of the last model call").register(registry);
    rejected = Counter.builder("aia_rejected").description("Requests refused because the queue was full")
        .register(registry);
    queueWait = Timer.builder("aia_queue_wait").description("Time requests waited in the batcher's queue")
        .publishPercentiles(0.5, 0.99).register(registry);
  }

  /** Shows a batcher's queue in the gauges. */
  public void watchQueue(IntSupplier rows, IntSupplier requests) {
    queueRows.set(rows);
    queueRequests.set(requests);
  }

  /** Counts one HTTP request answered with {@code status}. */
  public void request(String endpoint, int status, long nanos) {
    request(endpoint, Integer.toString(status), nanos);
  }

  /** Counts one HTTP request whose connection closed before its response ended. */
  public void aborted(String endpoint, long nanos) {
    request(endpoint, "aborted", nanos);
  }

  private void request(String endpoint, String status, long nanos) {
    Counter.builder("aia_http_requests").description("HTTP requests answered, by the status sent")
        .tags("endpoint", endpoint, "status", status).register(registry).increment();
    Timer.builder("aia_http_request").description("HTTP request latency, until the response ended")
        .tag("endpoint", endpoint).publishPercentiles(0.5, 0.9, 0.99).register(registry)
        .record(Duration.ofNanos(nanos));
  }

  /** Shows the open connections in a gauge. */
  public void watchConnections(IntSupplier open) {
    Gauge.builder("aia_connections_open", open, IntSupplier::getAsInt).description("Open client connections")
        .strongReference(true).register(registry);
  }

  /** Shows the request-body bytes held now (admitted, not yet parsed) in a gauge. */
  public void watchBodies(LongSupplier held) {
    Gauge.builder("aia_request_body_bytes", held, LongSupplier::getAsLong)
        .description("Request-body bytes held: admitted and not yet parsed").strongReference(true).register(registry);
  }

  /** Counts a connection closed at once because the cap was reached. */
  public void connectionRefused() {
    Counter.builder("aia_connections_refused").description("Connections closed because too many were open")
        .register(registry).increment();
  }

  /** Counts a connection closed by a timeout: {@code idle}, {@code header} or {@code body}. */
  public void connectionTimedOut(String phase) {
    Counter.builder("aia_connections_timed_out").description("Connections closed by a timeout").tag("phase", phase)
        .register(registry).increment();
  }

  /** Counts a request that left the queue unrun because its client had gone. */
  public void cancelled() {
    Counter.builder("aia_cancelled").description("Queued requests dropped because their client had gone")
        .register(registry).increment();
  }

  /** Counts a refused request. */
  public void rejected() {
    rejected.increment();
  }

  /** Records how long one request waited before its batch ran. */
  public void queueWait(double seconds) {
    queueWait.record(Duration.ofNanos((long) (seconds * 1e9)));
  }

  /**
   * Records one model call.
   *
   * @param kind {@code answer} or {@code image}
   * @param requests requests in it
   * @param rows decode rows in it
   * @param seconds how long it took
   * @param tokens tokens it produced
   */
  public void batch(String kind, int requests, int rows, double seconds, int tokens) {
    DistributionSummary.builder("aia_batch_requests").description("Requests per model call").tag("kind", kind)
        .register(registry).record(requests);
    DistributionSummary.builder("aia_batch_rows").description("Decode rows per model call").tag("kind", kind)
        .register(registry).record(rows);
    Timer.builder("aia_batch").description("Model call time").tag("kind", kind).register(registry)
        .record(Duration.ofNanos((long) (seconds * 1e9)));
    Counter.builder("aia_tokens").description("Tokens decoded").tag("kind", kind).register(registry)
        .increment(tokens);
    synchronized (lastSpeed) {
      lastSpeed[kind.equals("answer") ? 0 : 1] = seconds > 0 ? tokens / seconds : 0;
    }
  }

  /** @return everything, in Prometheus' text format */
  public String scrape() {
    return registry.scrape();
  }

  /** @return the registry, for tests and extra meters */
  public PrometheusMeterRegistry registry() {
    return registry;
  }
}
