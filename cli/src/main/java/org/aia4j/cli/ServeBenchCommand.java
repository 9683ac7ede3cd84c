package org.aia4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import org.aia4j.api.data.GenerationSample;
import org.aia4j.api.data.UnderstandingSample;
import org.aia4j.api.model.ChatMessage;
import org.aia4j.api.model.ModelProvider;
import org.aia4j.api.model.TextCompletion;
import org.aia4j.evaluation.data.WorldTrainingData;
import org.aia4j.evaluation.world.WorldSpec;
import org.aia4j.server.AiaServer;
import org.aia4j.server.ServerConfig;
import org.aia4j.server.ServedModel;
import org.aia4j.server.batch.BatchSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aia bench serve}: a load test of {@code aia serve}. For each workload (chat about an
 * image, image generation with CFG, text chat) it starts the server in-process on a free loopback port twice,
 * batching off ({@code --batch-size 1}) and on, and lets {@code --clients} concurrent HTTP clients
 * send requests back to back for {@code --seconds} after a warm-up; it reports throughput and
 * p50/p99 latency and writes {@code docs/benchmarks/serve.json} and the report rendered from it,
 * {@code serve.md} ({@link BenchReport}; {@code --report} renames them). Requests are the same,
 * seeded, in both modes.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Load test of aia serve: throughput and p50/p99 latency with batching on vs off; writes docs/benchmarks/serve.md")
final class ServeBenchCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Random vocabulary ids in a text workload's user turn. */
  static final int TEXT_PROMPT_IDS = 24;

  @Spec
  CommandSpec spec;

  @Inject
  ModelLoading loading;

  @Option(names = "--checkpoint", required = true, description = "The checkpoint to serve (e.g. quickstart/aia).")
  Path checkpoint;

  @Option(names = "--backend", defaultValue = "onnx", description = "Backend (default: ${DEFAULT-VALUE}).")
  String backend;

  @Option(names = "--clients", defaultValue = "32", description = "Concurrent clients (default: ${DEFAULT-VALUE}).")
  int clients;

  @Option(names = "--seconds", defaultValue = "24", description = "Measured seconds per mode, split over the "
      + "rounds (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Option(names = "--rounds", defaultValue = "3", description = "Off and on take turns this many times, so drift of a "
      + "noisy machine falls on both alike (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--warmup", defaultValue = "3", description = "Unmeasured seconds before each window (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--batch-size", description = "Batch size in rows with batching on (default: what the clients' "
      + "requests fill, as an operator sizes it for the expected concurrency: one row per chat request, two per "
      + "guided image, so 32 and 64 for 32 clients).")
  Integer batchSize;

  @Option(names = "--max-batch-delay-ms", defaultValue = "10", description = "Batch delay with batching on (default: ${DEFAULT-VALUE}).")
  long delayMs;

  @Option(names = "--workloads", defaultValue = "chat,images", split = ",", description = "chat (questions about "
      + "world images), images (world captions to draw), text (text chat through the model's chat template, e.g. an "
      + "imported LLaMA) (default: ${DEFAULT-VALUE}).")
  List<String> workloads;

  @Option(names = "--max-tokens", defaultValue = "16", description = "max_tokens of chat and text requests (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Mixin
  EngineOptions engine;

  @Mixin
  BenchOutputOption output;

  @Option(names = "--report", defaultValue = "serve", description = "Base name of the report files, NAME.md and "
      + "NAME.json, e.g. one per model size (default: ${DEFAULT-VALUE}).")
  String report;

  /** What one run measured. */
  record Run(String workload, String mode, BatchSettings batch, long requests, long errors, double seconds,
      double throughput, double p50Ms, double p99Ms, double meanMs, long tokens, double meanBatchRequests,
      double modelMsPerRequest, double modelBusy) {}

  private String loadBefore;
  /** Per workload, batching on's throughput over off's in each round, the two taking turns. */
  private final Map<String, double[]> speedupByRound = new LinkedHashMap<>();
  /** Per answer workload, static batching's throughput over off's in each round. */
  private final Map<String, double[]> staticSpeedupByRound = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    PrintWriter console = spec.commandLine().getOut();
    loadBefore = PythonPeer.loadAverage();
    ModelProvider models = loading.provider(backend);
    ServeCommand.checkCheckpoint(checkpoint);
    WorldTrainingData world = new WorldTrainingData(WorldSpec.standard(), 0);
    Map<String, String> options = engine.options();
    if (rounds < 1 || seconds < rounds) {
      throw new IllegalArgumentException("--rounds must be >= 1 and --seconds >= --rounds, got " + rounds + " and "
          + seconds);
    }
    if (report.isBlank() || !Path.of(report).getFileName().toString().equals(report) || report.startsWith(".")) {
      throw new IllegalArgumentException("--report is a file base name without a folder, got '" + report + "'");
    }
    List<Run> runs = new ArrayList<>();
    Path work = Files.createTempDirectory("aia-bench-serve-");
    BatchSettings off = new BatchSettings(1, 0, 4096);
    if (batchSize != null && batchSize < 1) {
      throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
    }
    double window = seconds / (double) rounds;
    for (String name : workloads) {
      String workload = name.strip();
      BatchSettings on = new BatchSettings(batchRows(workload), delayMs, 4096);
      console.printf("%s: batching off (batch size 1) and on (batch size %d, delay %d ms) take turns, %d rounds of "
          + "%d s warm-up + %.1f s, %d clients ...%n", workload, on.batchSize(), delayMs, rounds, warmup, window,
          clients);
      console.flush();
      // Answers are also measured batched statically (--static-batching), the alternative to
      // continuous batching an operator can choose; images are batched statically either way.
      BatchSettings fixed = on.staticAnswers();
      boolean answers = !workload.equals("images");
      try (AiaServer offServer = AiaServer.start(ServerConfig.local(0, off, work),
              () -> models.load(checkpoint, options));
          AiaServer onServer = AiaServer.start(ServerConfig.local(0, on, work),
              () -> models.load(checkpoint, options));
          AiaServer staticServer = answers ? AiaServer.start(ServerConfig.local(0, fixed, work),
              () -> models.load(checkpoint, options)) : null) {
        ServedModel served = offServer.ready().get(10, TimeUnit.MINUTES);
        onServer.ready().get(10, TimeUnit.MINUTES);
        if (staticServer != null) {
          staticServer.ready().get(10, TimeUnit.MINUTES);
        }
        List<String> bodies = bodies(workload, world, served);
        List<Window> offWindows = new ArrayList<>();
        List<Window> onWindows = new ArrayList<>();
        List<Window> staticWindows = new ArrayList<>();
        double[] byRound = new double[rounds];
        double[] staticByRound = new double[rounds];
        for (int round = 0; round < rounds; round++) {
          Window offWindow = load(offServer, workload, bodies, window);
          if (staticServer != null) {
            staticWindows.add(load(staticServer, workload, bodies, window));
            staticByRound[round] = staticWindows.get(round).rate() / offWindow.rate();
          }
          Window onWindow = load(onServer, workload, bodies, window);
          offWindows.add(offWindow);
          onWindows.add(onWindow);
          byRound[round] = onWindow.rate() / offWindow.rate();
        }
        speedupByRound.put(workload, byRound);
        List<Run> measured = new ArrayList<>(List.of(merge(workload, "off", off, offWindows)));
        if (staticServer != null) {
          staticSpeedupByRound.put(workload, staticByRound);
          measured.add(merge(workload, "static", fixed, staticWindows));
        }
        measured.add(merge(workload, "on", on, onWindows));
        for (Run run : measured) {
          runs.add(run);
          console.printf(Locale.ROOT, "  batching %s: %.2f req/s, p50 %.0f ms, p99 %.0f ms, %d requests, %d errors, "
              + "mean batch %.1f requests%n", run.mode(), run.throughput(), run.p50Ms(), run.p99Ms(), run.requests(),
              run.errors(), run.meanBatchRequests());
        }
        console.flush();
      }
    }
    write(runs, console);
    return 0;
  }

  /** The batch size with batching on: {@code --batch-size}, else the rows the clients' requests fill. */
  private int batchRows(String workload) {
    if (batchSize != null) {
      return batchSize;
    }
    return workload.equals("images") ? 2 * clients : clients;
  }

  /**
   * Seeded request bodies: world questions about world images, world captions to draw, or text
   * chat turns of {@link #TEXT_PROMPT_IDS} random ids of the model's vocabulary, decoded to text
   * (for a model with a chat template, e.g. an imported LLaMA).
   */
  private List<String> bodies(String workload, WorldTrainingData world, ServedModel served) throws IOException {
    String model = served.id();
    TextCompletion text = null;
    if (workload.equals("text")) {
      text = served.model().textCompletion().filter(t -> t.encodeChat(List.of(new ChatMessage("user", "hi")))
          .isPresent()).orElseThrow(() -> new IllegalArgumentException("The text workload needs a model with a chat "
              + "template (tokenizer_config.json's chat_template, e.g. an imported Hugging Face model); "
              + checkpoint + " has none: use --workloads chat,images"));
    }
    SplittableRandom random = new SplittableRandom(0);
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < 256; i++) {
      ObjectNode body = JSON.createObjectNode();
      if (workload.equals("chat")) {
        UnderstandingSample sample = world.understanding(i);
        body.put("model", model);
        ObjectNode user = body.putArray("messages").addObject();
        user.put("role", "user");
        var content = user.putArray("content");
        content.addObject().put("type", "text").put("text", sample.prompt());
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(sample.image(), "png", png);
        content.addObject().put("type", "image_url").putObject("image_url")
            .put("url", "data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray()));
        body.put("max_tokens", maxTokens);
        body.put("temperature", 0);
      } else if (workload.equals("images")) {
        GenerationSample sample = world.generation(i);
        body.put("prompt", sample.prompt());
        body.put("n", 1);
        body.put("seed", i);
        body.put("guidance_scale", 2.0);
      } else if (workload.equals("text")) {
        int[] ids = random.ints(TEXT_PROMPT_IDS, 3, text.vocabularySize()).toArray();
        body.put("model", model);
        ObjectNode user = body.putArray("messages").addObject();
        user.put("role", "user");
        user.put("content", text.decode(ids));
        body.put("max_tokens", maxTokens);
        body.put("temperature", 0);
      } else {
        throw new IllegalArgumentException("Unknown workload '" + workload + "': chat, text or images");
      }
      bodies.add(body.toString());
    }
    return bodies;
  }

  /**
   * Keeps {@code clients} requests in flight until the window ends: each client sends its next
   * request when its last one is answered. The clients are asynchronous Vert.x HTTP/1.1
   * connections on one event loop of their own (keep-alive, one connection per client), so the
   * load generator costs the 2 cores far less than a thread per client would.
   */
  private Window load(AiaServer server, String workload, List<String> bodies, double windowSeconds)
      throws Exception {
    String path = workload.equals("images") ? "/v1/images/generations" : "/v1/chat/completions";
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(server.port()).setKeepAlive(true).setPipelining(false), new PoolOptions()
        .setHttp1MaxSize(clients).setMaxWaitQueueSize(-1));
    try {
      long start = System.nanoTime();
      long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
      long end = measureFrom + (long) (windowSeconds * 1e9);
      List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
      AtomicLong errors = new AtomicLong();
      AtomicLong tokens = new AtomicLong();
      CountDownLatch done = new CountDownLatch(clients);
      Buffer[] payloads = bodies.stream().map(Buffer::buffer).toArray(Buffer[]::new);
      for (int c = 0; c < clients; c++) {
        int client0 = c;
        vertx.runOnContext(v -> send(client, path, payloads, client0, 0, measureFrom, end, workload, latencies, errors,
            tokens, done));
      }
      // Batch statistics of the measured window only: read the meters at its start and end.
      Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(measureFrom - System.nanoTime())));
      String kind = workload.equals("images") ? "image" : "answer";
      double[] before = batchMeters(server, kind);
      Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
      double[] after = batchMeters(server, kind);
      if (!done.await(5, TimeUnit.MINUTES)) {
        throw new IllegalStateException("clients did not finish within 5 minutes of the window's end");
      }
      return new Window(latencies.stream().mapToLong(Long::longValue).toArray(), errors.get(), tokens.get(),
          after[0] - before[0], after[1] - before[1], after[2] - before[2], windowSeconds);
    } finally {
      client.close().await(10, TimeUnit.SECONDS);
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** What one measured window gave: raw latencies (ns) and the server's meter deltas. */
  record Window(long[] latencies, long errors, long tokens, double batches, double batchedRequests,
      double modelSeconds, double seconds) {
    /** @return requests answered per second */
    double rate() {
      return latencies.length / seconds;
    }
  }

  /** One mode's windows as one run: throughput over their total time, percentiles over all requests. */
  private static Run merge(String workload, String mode, BatchSettings batch, List<Window> windows) {
    long[] all = windows.stream().flatMapToLong(w -> Arrays.stream(w.latencies())).sorted().toArray();
    double seconds = windows.stream().mapToDouble(Window::seconds).sum();
    double batches = windows.stream().mapToDouble(Window::batches).sum();
    double batched = windows.stream().mapToDouble(Window::batchedRequests).sum();
    double model = windows.stream().mapToDouble(Window::modelSeconds).sum();
    double p50 = all.length == 0 ? Double.NaN : all[(int) Math.floor(0.50 * (all.length - 1))] / 1e6;
    double p99 = all.length == 0 ? Double.NaN : all[(int) Math.floor(0.99 * (all.length - 1))] / 1e6;
    double mean = all.length == 0 ? Double.NaN : Arrays.stream(all).average().orElse(0) / 1e6;
    return new Run(workload, mode, batch, all.length, windows.stream().mapToLong(Window::errors).sum(), seconds,
        all.length / seconds, p50, p99, mean, windows.stream().mapToLong(Window::tokens).sum(),
        batches == 0 ? 0 : batched / batches, all.length == 0 ? Double.NaN : 1000 * model / all.length,
        model / seconds);
  }

  /** One client's loop: sends request {@code i}, records it when answered, then sends the next. */
  private static void send(HttpClientAgent client, String path, Buffer[] payloads, int clientIndex, int i,
      long measureFrom, long end, String workload, List<Long> latencies, AtomicLong errors, AtomicLong tokens,
      CountDownLatch done) {
    long sent = System.nanoTime();
    if (sent >= end) {
      done.countDown();
      return;
    }
    Buffer body = payloads[(clientIndex * 31 + i) % payloads.length];
    client.request(new RequestOptions().setMethod(HttpMethod.POST).setURI(path)
            .putHeader("Content-Type", "application/json").setTimeout(120_000))
        .compose(request -> request.send(body))
        .compose(response -> response.body().map(buffer -> new Object[] {response.statusCode(), buffer}))
        .onComplete(result -> {
          long received = System.nanoTime();
          // Requests answered inside the measured window count (a closed loop's completions per
          // second); the warm-up must outlast a request for the window to see the steady state.
          boolean counted = received >= measureFrom && received <= end;
          if (result.failed() || (int) result.result()[0] != 200) {
            if (counted) {
              errors.incrementAndGet();
            }
          } else if (counted) {
            latencies.add(received - sent);
            if (!workload.equals("images")) {
              try {
                JsonNode json = JSON.readTree(((Buffer) result.result()[1]).getBytes());
                tokens.addAndGet(json.at("/usage/completion_tokens").asLong());
              } catch (IOException e) {
                errors.incrementAndGet();
              }
            }
          }
          send(client, path, payloads, clientIndex, i + 1, measureFrom, end, workload, latencies, errors, tokens,
              done);
        });
  }

  /** Model calls so far, requests in them and seconds spent in them, from the server's meters. */
  private static double[] batchMeters(AiaServer server, String kind) {
    var requests = server.metrics().registry().find("aia_batch_requests").tag("kind", kind).summary();
    var timer = server.metrics().registry().find("aia_batch").tag("kind", kind).timer();
    return new double[] {requests == null ? 0 : requests.count(), requests == null ? 0 : requests.totalAmount(),
        timer == null ? 0 : timer.totalTime(TimeUnit.SECONDS)};
  }

  private void write(List<Run> runs, PrintWriter console) throws IOException {
    Map<String, Object> results = new LinkedHashMap<>();
    results.put("benchmark", "serve");
    results.put("report", report);
    results.put("date", LocalDate.now().toString());
    results.put("cores", Runtime.getRuntime().availableProcessors());
    results.put("load_before", loadBefore);
    results.put("load_after", PythonPeer.loadAverage());
    results.put("checkpoint", shown(checkpoint));
    results.put("backend", backend);
    results.put("engine_options", engine.options());
    results.put("clients", clients);
    results.put("warmup_seconds", warmup);
    results.put("rounds", rounds);
    results.put("measured_seconds", seconds);
    results.put("chat_max_tokens", maxTokens);
    results.put("text_prompt_ids", TEXT_PROMPT_IDS);
    results.put("counted", "answered in the window");
    results.put("continuous_batching", true);
    results.put("max_batch_delay_ms", delayMs);
    results.put("batch_size_option", batchSize);
    results.put("runs", runs);
    results.put("speedup", speedups(runs, "on"));
    results.put("speedup_by_round", speedupByRound);
    results.put("speedup_static", speedups(runs, "static"));
    results.put("speedup_static_by_round", staticSpeedupByRound);
    console.print(BenchReport.write(output.out(), report, JSON.valueToTree(results)));
    console.flush();
  }

  /** Per workload measured in {@code mode}, its throughput over batching off's. */
  private Map<String, Double> speedups(List<Run> runs, String mode) {
    Map<String, Double> speedups = new LinkedHashMap<>();
    for (String workload : workloads) {
      Run off = find(runs, workload.strip(), "off");
      Run batched = find(runs, workload.strip(), mode);
      if (off != null && batched != null && off.throughput() > 0) {
        speedups.put(workload.strip(), batched.throughput() / off.throughput());
      }
    }
    return speedups;
  }

  private static Run find(List<Run> runs, String workload, String mode) {
    return runs.stream().filter(r -> r.workload().equals(workload) && r.mode().equals(mode)).findFirst().orElse(null);
  }

  /**
   * The checkpoint as a report may name it: relative to the working directory when inside it,
   * else by its directory name only, so a committed report never names a folder of one machine.
   */
  static String shown(Path checkpoint) {
    Path absolute = checkpoint.toAbsolutePath().normalize();
    Path here = Path.of("").toAbsolutePath().normalize();
    if (absolute.startsWith(here) && !absolute.equals(here)) {
      return here.relativize(absolute).toString();
    }
    return String.valueOf(absolute.getFileName());
  }
}
