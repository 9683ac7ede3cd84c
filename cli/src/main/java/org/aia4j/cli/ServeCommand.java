package org.aia4j.cli;

import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import org.aia4j.api.model.ModelProvider;
import org.aia4j.server.AiaServer;
import org.aia4j.server.ConnectionLimits;
import org.aia4j.server.JobRetention;
import org.aia4j.server.ServedModel;
import org.aia4j.server.ServerConfig;
import org.aia4j.server.batch.BatchSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aia serve}: an OpenAI-compatible HTTP server in front of a checkpoint, until Ctrl-C (or
 * SIGTERM), which shuts it down gracefully: queued and in-flight requests finish first.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Serve a checkpoint over an OpenAI-compatible HTTP API: chat about images, image generation, "
        + "evaluation jobs, Prometheus metrics.")
final class ServeCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Inject
  ModelLoading loading;

  @Option(names = "--checkpoint", required = true, description = "A checkpoint (aia train --out) or an aia export directory.")
  Path checkpoint;

  @Option(names = "--backend", defaultValue = "onnx", description = "Backend that runs it: onnx or djl (default: ${DEFAULT-VALUE}).")
  String backend;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "8080", description = "Port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--batch-size", defaultValue = "32",
      description = "Most decode rows per model call; an image with guidance takes 2; 1 turns batching off (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--max-batch-delay-ms", defaultValue = "10",
      description = "How long a request may wait for others to join its batch (default: ${DEFAULT-VALUE}).")
  long maxBatchDelayMs;

  @Option(names = "--static-batching", description = "Batch answers statically (prefilled together, decoded until "
      + "the longest ends) instead of continuously (joining the running decode between steps): for short answers "
      + "behind long prompts, where it can give more throughput and a shorter tail (see docs/benchmarks/serve.md).")
  boolean staticBatching;

  @Option(names = "--queue-size", defaultValue = "256",
      description = "Most decode rows waiting; more get HTTP 429 with Retry-After (default: ${DEFAULT-VALUE}).")
  int queueSize;

  @Option(names = "--api-key", defaultValue = "${env:AIA_API_KEY}",
      description = "Require 'Authorization: Bearer KEY' on /v1/ (default: $AIA_API_KEY, else no key).")
  String apiKey;

  @Option(names = "--body-limit-mb", defaultValue = "16", description = "Largest request body, in MiB (default: ${DEFAULT-VALUE}).")
  int bodyLimitMb;

  @Option(names = "--idle-timeout-ms", defaultValue = "60000",
      description = "Close a kept-alive connection whose next request head is not in after this long (default: ${DEFAULT-VALUE}).")
  long idleTimeoutMs;

  @Option(names = "--header-timeout-ms", defaultValue = "10000",
      description = "Close a new connection whose first request head is not in after this long (default: ${DEFAULT-VALUE}).")
  long headerTimeoutMs;

  @Option(names = "--body-timeout-ms", defaultValue = "60000",
      description = "A request's whole body must arrive within this long of its headers (default: ${DEFAULT-VALUE}).")
  long bodyTimeoutMs;

  @Option(names = "--max-connections", defaultValue = "1024",
      description = "Most open connections; more are closed when accepted (default: ${DEFAULT-VALUE}).")
  int maxConnections;

  @Option(names = "--body-memory-mb", defaultValue = "256",
      description = "Most MiB of request bodies held at once; a body that does not fit gets 429 (default: ${DEFAULT-VALUE}).")
  int bodyMemoryMb;

  @Option(names = "--decode-threads",
      description = "Threads that parse bodies and decode images (default: half the cores, 1 to 4).")
  Integer decodeThreads;

  @Option(names = "--keep-evaluations", defaultValue = "32",
      description = "Finished evaluation jobs kept, with their outputs; older ones are removed (default: ${DEFAULT-VALUE}).")
  int keepEvaluations;

  @Option(names = "--evaluation-max-age-hours", defaultValue = "24",
      description = "Finished evaluation jobs older than this are removed, with their outputs (default: ${DEFAULT-VALUE}).")
  long evaluationMaxAgeHours;

  @Mixin
  EngineOptions engine;

  @Option(names = "--work-dir",
      description = "Where evaluation jobs write their outputs (default: a temporary directory, removed at exit).")
  Path workDir;

  @Override
  public Integer call() throws Exception {
    PrintWriter console = spec.commandLine().getOut();
    BatchSettings batch = new BatchSettings(batchSize, maxBatchDelayMs, queueSize, !staticBatching);
    ConnectionLimits limits = new ConnectionLimits(idleTimeoutMs, headerTimeoutMs, bodyTimeoutMs, maxConnections,
        bodyMemoryMb * 1024L * 1024L, decodeThreads == null ? ConnectionLimits.defaultDecodeThreads() : decodeThreads);
    JobRetention retention = new JobRetention(keepEvaluations, evaluationMaxAgeHours * 3600_000L);
    ModelProvider models = loading.provider(backend);
    checkCheckpoint(checkpoint);
    Path work = workDir != null ? workDir : Files.createTempDirectory("aia-serve-");
    ServerConfig config = new ServerConfig(host, port, batch, apiKey == null || apiKey.isBlank() ? null : apiKey,
        bodyLimitMb * 1024L * 1024L, work, 60_000, limits, retention, workDir == null);
    Map<String, String> options = engine.options();
    AiaServer server = AiaServer.start(config, () -> models.load(checkpoint, options));
    console.printf("Listening on http://%s:%d, loading %s on %s ...%n", host, server.port(), checkpoint, backend);
    console.flush();
    ServedModel served;
    try {
      served = server.ready().get();
    } catch (ExecutionException e) {
      server.close();
      Throwable cause = e.getCause();
      if (cause instanceof Exception failure) {
        throw failure;
      }
      throw e;
    }
    console.printf("Serving '%s' at %s (batch size %d rows, max batch delay %d ms, queue %d rows%s). "
        + "Ctrl-C stops it.%n", served.id(), server.baseUrl(), batchSize, maxBatchDelayMs, queueSize,
        config.apiKey() != null ? ", API key required" : "");
    console.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.err.println("Shutting down: finishing in-flight requests ...");
      server.close();
      stopped.countDown();
    }, "aia-serve-shutdown"));
    stopped.await();
    return 0;
  }

  /** Refuses a missing directory or one that is not a checkpoint or export, before anything starts. */
  static void checkCheckpoint(Path dir) throws java.io.IOException {
    if (!Files.exists(dir)) {
      org.aia4j.inference.checkpoint.CheckpointFiles.recover(dir); // a save killed between its renames
    }
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "checkpoint directory is missing");
    }
    if (!Files.isRegularFile(dir.resolve("config.json"))) {
      throw new NoSuchFileException(dir.resolve("config.json").toString(), null,
          "not an aia4j checkpoint or export (no config.json; make one with aia train or aia export)");
    }
  }
}
