package org.aia4j.server;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.metrics.MetricsOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.aia4j.api.io.AtomicDirectory;
import org.aia4j.api.model.UnifiedModel;
import org.aia4j.server.batch.Batcher;
import org.aia4j.server.eval.EvaluationJobs;
import org.aia4j.server.http.ConnectionGuard;
import org.aia4j.server.http.Routes;
import org.aia4j.server.metrics.ServerMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aia4j server: a Vert.x HTTP server with OpenAI-compatible endpoints in front of one model,
 * whose calls all go through one {@link Batcher}. {@link #start} listens at once and loads the
 * model on a thread of its own ({@code /health} answers 503 until it is loaded); {@link #close}
 * shuts down gracefully: new requests get 503 while queued and in-flight ones finish.
 *
 * <p>Hostile or careless clients are bounded by {@link ConnectionLimits}: idle, slow-header and
 * slow-body connections are closed, connections over the cap are refused, bodies are admitted
 * from their headers against a limit and a server-wide budget, and images are decoded on a
 * bounded pool.
 *
 * <pre>{@code
 * try (AiaServer server = AiaServer.start(ServerConfig.local(8080, BatchSettings.defaults(), dir),
 *     () -> OnnxUnifiedModel.load(checkpoint))) {
 *   server.ready().join();
 *   ...
 * }
 * }</pre>
 */
public final class AiaServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AiaServer.class);

  private final ServerConfig config;
  private final Vertx vertx;
  private final HttpServer http;
  private final ServerState state;
  private final ServerMetrics metrics;
  private final EvaluationJobs evaluations;
  private final AtomicInteger inFlight;
  private final ConnectionGuard guard;
  private final WorkerExecutor decoders;
  private final CompletableFuture<ServedModel> ready = new CompletableFuture<>();
  private final Thread loader;
  private boolean closed;

  private AiaServer(ServerConfig config, Vertx vertx, HttpServer http, ServerState state, ServerMetrics metrics,
      EvaluationJobs evaluations, AtomicInteger inFlight, ConnectionGuard guard, WorkerExecutor decoders,
      ModelLoader modelLoader) {
    this.config = config;
    this.vertx = vertx;
    this.http = http;
    this.state = state;
    this.metrics = metrics;
    this.evaluations = evaluations;
    this.inFlight = inFlight;
    this.guard = guard;
    this.decoders = decoders;
    this.loader = new Thread(() -> load(modelLoader), "aia-model-loader");
    this.loader.setDaemon(true);
  }

  /**
   * Listens, then loads the model in the background.
   *
   * @throws IOException if the server cannot listen (e.g. the port is taken)
   */
  public static AiaServer start(ServerConfig config, ModelLoader modelLoader) throws IOException {
    // ImageIO otherwise buffers every in-memory image stream through a temporary file.
    ImageIO.setUseCache(false);
    ServerMetrics metrics = new ServerMetrics();
    ConnectionGuard guard = new ConnectionGuard(config.connections(), metrics);
    // The guard sees every connection through Vert.x's metrics SPI: the only public view of reads
    // and request heads, which the header and body timeouts need.
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setEventLoopPoolSize(1).setMetricsOptions(new MetricsOptions().setEnabled(true)))
        .withMetrics(guard.factory())
        .build();
    ServerState state = new ServerState();
    EvaluationJobs evaluations = new EvaluationJobs(config.workDir(), 16, config.retention());
    AtomicInteger inFlight = new AtomicInteger();
    WorkerExecutor decoders = vertx.createSharedWorkerExecutor("aia-decode", config.connections().decodeThreads());
    HttpServer http = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port())
        .setMaxInitialLineLength(8192).setMaxHeaderSize(16384)
        // No HTTP/2 without TLS (h2c): no OpenAI client needs it, it multiplies what one connection
        // can ask for (rapid reset), and Vert.x hands over a connection only once it has sniffed
        // the protocol from the first request, so the header timeout could not see it before.
        .setHttp2ClearTextEnabled(false));
    http.connectionHandler(guard::accepted);
    http.invalidRequestHandler(Routes::invalid);
    // Failures on connections are the clients' (resets, broken framing), not the server's.
    http.exceptionHandler(failure -> LOG.info("A client connection failed: {}", failure.toString()));
    http.requestHandler(Routes.requests(Routes.router(vertx, config, state, metrics, evaluations, inFlight,
        decoders)));
    try {
      http.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      vertx.close();
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IOException("Cannot listen on " + config.host() + ":" + config.port() + ": " + cause.getMessage(), cause);
    }
    guard.start(vertx);
    // Retention by age needs a clock: finished jobs past it are removed once a minute.
    vertx.setPeriodic(60_000, id -> vertx.executeBlocking(() -> {
      evaluations.prune();
      return null;
    }, false));
    AiaServer server = new AiaServer(config, vertx, http, state, metrics, evaluations, inFlight, guard,
        decoders, modelLoader);
    server.loader.start();
    return server;
  }

  private void load(ModelLoader modelLoader) {
    try {
      UnifiedModel model = modelLoader.load();
      ServedModel served = new ServedModel(model, model.name());
      Batcher batcher = new Batcher(served, config.batch(), metrics);
      metrics.watchQueue(batcher::queuedRows, batcher::queuedRequests);
      synchronized (this) {
        if (closed) {
          batcher.close();
          model.close();
          ready.completeExceptionally(new IllegalStateException("The server was closed while loading"));
          return;
        }
        state.ready(new ServerState.Ready(served, batcher));
      }
      LOG.info("Serving {} on http://{}:{}", served.id(), config.host(), port());
      ready.complete(served);
    } catch (Exception | Error e) {
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      state.failed(message);
      LOG.error("The model failed to load: {}", message);
      ready.completeExceptionally(e);
    }
  }

  /** @return the port listened on */
  public int port() {
    return http.actualPort();
  }

  /** @return the base URL of the OpenAI-compatible API, e.g. {@code http://127.0.0.1:8080/v1} */
  public String baseUrl() {
    return "http://" + config.host() + ":" + port() + "/v1";
  }

  /** @return completed with the model once it is loaded, or with the loading failure */
  public CompletableFuture<ServedModel> ready() {
    return ready;
  }

  /** @return the server's meters */
  public ServerMetrics metrics() {
    return metrics;
  }

  /** @return connections open now */
  public int openConnections() {
    return guard.open();
  }

  /** @return the evaluation jobs */
  public EvaluationJobs evaluations() {
    return evaluations;
  }

  /** @return the shared state, e.g. the batcher once loaded */
  public ServerState state() {
    return state;
  }

  /**
   * Shuts down gracefully: new requests get 503, queued and in-flight requests finish (within the
   * configured timeout), evaluation jobs are cancelled, then the server stops listening and the
   * model is closed. Requests whose body has not arrived whole are not waited for: their
   * connections are closed. A work directory the server owns is deleted.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.shutdownTimeoutMs());
    state.drain();
    evaluations.close();
    ServerState.Ready current = state.current();
    if (current != null) {
      current.batcher().shutdown();
      try {
        if (!current.batcher().awaitTermination(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
          LOG.warn("Shutdown timed out with requests still queued");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    // Responses of finished batches are written on the event loop: wait until they have ended.
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    guard.stop(vertx);
    try {
      decoders.close();
      http.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("Vert.x did not close cleanly: {}", e.toString());
    }
    if (current != null) {
      current.model().model().close();
    }
    if (config.removeWorkDir()) {
      deleteTree(config.workDir());
    }
  }

  /** Deletes a directory and everything in it; a failure is logged, not thrown. */
  static void deleteTree(Path dir) {
    try {
      AtomicDirectory.deleteTree(dir);
    } catch (IOException e) {
      LOG.warn("Could not remove {}: {}", dir, e.getMessage());
    }
  }
}
