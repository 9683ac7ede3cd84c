package org.aia4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.aia4j.api.io.AtomicDirectory;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.inference.checkpoint.TextModel;
import org.aia4j.inference.decode.TextEngine;
import org.aia4j.inference.profile.ExplicitSequence;
import org.aia4j.onnx.runtime.OnnxTextEngine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aia bench import}: a LLaMA-architecture model of about 100 M parameters written in the
 * Hugging Face layout ({@code bench/make_llama.py}: random weights, BF16, two shards), imported,
 * profiled and decoded, against the same model and loop in PyTorch/Python ({@code
 * bench/peer_llama_decode.py}). Every figure is taken {@code --rounds} times, the engines and the
 * peer taking turns within a round, and reported as the median with its min-max; the machine's
 * load average is recorded before and after.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = "A 110 M-parameter Hugging Face LLaMA: import time and peak memory, profile time, decode tokens/s "
        + "against PyTorch/Python (docs/benchmarks/real-models.md).")
final class ImportBenchCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec
  CommandSpec spec;

  @Option(names = "--model", description = "A Hugging Face LLaMA directory to measure instead of a fresh random one.")
  Path model;

  @Option(names = "--rounds", defaultValue = "3", description = "Times every comparison is repeated (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--batches", split = ",", defaultValue = "1,16", description = "Decode batch sizes (default: ${DEFAULT-VALUE}).")
  List<Integer> batches;

  @Option(names = "--prompt", defaultValue = "32", description = "Prompt ids per row (default: ${DEFAULT-VALUE}).")
  int prompt;

  @Option(names = "--tokens", defaultValue = "32", description = "Decoded ids per row (default: ${DEFAULT-VALUE}).")
  int tokens;

  @Option(names = "--profile-samples", defaultValue = "8", description = "Sequences profiled per round (default: ${DEFAULT-VALUE}).")
  int profileSamples;

  @Option(names = "--profile-length", defaultValue = "256", description = "Ids per profiled sequence (default: ${DEFAULT-VALUE}).")
  int profileLength;

  @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with torch for the peer and the maker.")
  String python;

  @Option(names = "--bench-dir", defaultValue = "bench", description = "Where make_llama.py and peer_llama_decode.py are.")
  Path benchDir;

  @Mixin
  BenchOutputOption output;

  @Override
  public Integer call() throws Exception {
    if (rounds < 1 || prompt < 1 || tokens < 1 || profileSamples < 1 || profileLength < 2
        || batches.stream().anyMatch(b -> b < 1)) {
      throw new IllegalArgumentException("--rounds, --prompt, --tokens, --profile-samples and batches must be >= 1, "
          + "--profile-length >= 2");
    }
    PrintWriter console = spec.commandLine().getOut();
    int cores = Runtime.getRuntime().availableProcessors();
    Map<String, Object> results = new LinkedHashMap<>();
    results.put("benchmark", "real-models");
    results.put("date", LocalDate.now().toString());
    results.put("cores", cores);
    results.put("load_before", PythonPeer.loadAverage());
    Path work = Files.createTempDirectory("aia-bench-import-");
    try {
      Path source = model != null ? model : generate(work.resolve("hf"), console, results);
      results.put("model_files_bytes", directorySize(source));
      results.put("import", importRounds(source, work, console));
      Path imported = work.resolve("imported-0");
      runImport(source, imported); // the checkpoint the remaining figures use
      TextModel text = TextModel.open(imported);
      results.put("parameters", text.model().parameterCount());
      results.put("float32_bytes", 4L * text.model().parameterCount());
      results.put("profile", profile(text, console));
      results.put("decode", decode(text, source, work, console));
      results.put("load_after", PythonPeer.loadAverage());
      console.print(BenchReport.write(output.out(), "real-models", JSON.valueToTree(results)));
      console.flush();
      return 0;
    } finally {
      AtomicDirectory.deleteTree(work);
    }
  }

  private Path generate(Path dir, PrintWriter console, Map<String, Object> results) throws Exception {
    console.println("Writing a random 110 M-parameter LLaMA in the Hugging Face layout (bench/make_llama.py) ...");
    console.flush();
    JsonNode made = PythonPeer.run(python, benchDir.resolve("make_llama.py"), List.of("--out", dir.toString()),
        dir.resolveSibling("make.log"), 10, console);
    if (made == null) {
      throw new IOException("bench/make_llama.py needs " + python + " with numpy (apt-get install python3-numpy)");
    }
    results.put("generated", made);
    return dir;
  }

  /** Each round imports in a fresh JVM, so its peak resident memory is the import's own. */
  private Map<String, Object> importRounds(Path source, Path work, PrintWriter console) throws Exception {
    double[] seconds = new double[rounds];
    double[] peak = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      Path out = work.resolve("probe-" + r);
      JsonNode probe = runImport(source, out);
      seconds[r] = probe.path("seconds").asDouble();
      peak[r] = probe.path("peak_rss_bytes").asDouble();
      AtomicDirectory.deleteTree(out);
      console.printf("import round %d: %.1f s, peak resident %,.0f MB%n", r + 1, seconds[r], peak[r] / 1e6);
      console.flush();
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("seconds", seconds);
    out.put("peak_rss_bytes", peak);
    out.put("jvm", "default heap settings of ./aia (" + System.getProperty("java.vm.name") + " "
        + System.getProperty("java.version") + ")");
    return out;
  }

  private JsonNode runImport(Path source, Path out) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path log = out.resolveSibling(out.getFileName() + ".log");
    Process process = new ProcessBuilder(java.toString(), "-Djava.awt.headless=true", "-Dai.djl.offline=true",
        "-cp", System.getProperty("java.class.path"), ImportProbe.class.getName(), source.toString(), out.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IOException("The import probe failed:\n" + Files.readString(log));
    }
    List<String> lines = Files.readAllLines(log);
    return JSON.readTree(lines.get(lines.size() - 1));
  }

  private Map<String, Object> profile(TextModel text, PrintWriter console) throws Exception {
    SplittableRandom random = new SplittableRandom(0);
    int vocab = text.model().vocabSize();
    int[] queries = java.util.stream.IntStream.range(profileLength - Math.min(16, profileLength / 2), profileLength)
        .toArray();
    int[] keys = java.util.stream.IntStream.range(0, profileLength / 2).toArray();
    List<ExplicitSequence> sequences = new ArrayList<>();
    for (int i = 0; i < profileSamples; i++) {
      sequences.add(new ExplicitSequence(random.ints(profileLength, 3, vocab).toArray(), queries, keys));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("samples", profileSamples);
    out.put("length", profileLength);
    for (String name : TextEngines.NAMES) {
      double[] perSample = new double[rounds];
      try (TextEngine engine = TextEngines.open(text, name)) {
        engine.interaction(sequences.subList(0, 1)); // warm-up
        for (int r = 0; r < rounds; r++) {
          long start = System.nanoTime();
          engine.interaction(sequences);
          perSample[r] = (System.nanoTime() - start) / 1e9 / profileSamples;
        }
      }
      console.printf("profile on %s: %.3f s per sample (median)%n", name, PythonPeer.median(perSample));
      console.flush();
      out.put(name + "_seconds_per_sample", perSample);
    }
    return out;
  }

  /** Per batch: every engine's and the peer's decode tokens/s, taking turns within each round. */
  private Map<String, Object> decode(TextModel text, Path source, Path work, PrintWriter console) throws Exception {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("prompt", prompt);
    out.put("tokens", tokens);
    SplittableRandom random = new SplittableRandom(1);
    Map<String, TextEngine> engines = new LinkedHashMap<>();
    try {
      for (String name : TextEngines.NAMES) {
        engines.put(name, TextEngines.open(text, name));
      }
      // ONNX Runtime at one thread too: beside the peer at one thread it compares the engines
      // per core, which the all-core figure cannot.
      engines.put(ONNX_ONE_THREAD, OnnxTextEngine.load(text, Map.of("threads", "1")));
      List<Double> bandwidth = new ArrayList<>();
      List<Double> bandwidthOneThread = new ArrayList<>();
      for (int batch : batches) {
        int[][] prompts = new int[batch][];
        for (int b = 0; b < batch; b++) {
          prompts[b] = random.ints(prompt, 3, text.model().vocabSize()).toArray();
        }
        Map<String, double[]> rates = new LinkedHashMap<>();
        engines.keySet().forEach(name -> rates.put(name, new double[rounds]));
        // The peer at 1 thread and at every core, each round: it is shown at its faster count.
        List<Integer> peerThreads = cores() == 1 ? List.of(1) : List.of(1, cores());
        Map<Integer, double[]> peer = new LinkedHashMap<>();
        peerThreads.forEach(t -> peer.put(t, new double[rounds]));
        JsonNode peerInfo = null;
        for (TextEngine engine : engines.values()) {
          engine.completeBatch(prompts, 2, SamplingSettings.greedy(), OptionalInt.empty()); // warm-up
        }
        List<Map.Entry<String, TextEngine>> order = new ArrayList<>(engines.entrySet());
        for (int r = 0; r < rounds; r++) {
          for (Map.Entry<String, TextEngine> engine : order) {
            rates.get(engine.getKey())[r] = decodeRate(engine.getValue(), prompts);
          }
          java.util.Collections.rotate(order, -1); // each engine leads a round in turn
          StringBuilder line = new StringBuilder("decode batch " + batch + " round " + (r + 1) + ":");
          for (Map.Entry<String, double[]> e : rates.entrySet()) {
            line.append(String.format(" %s %.1f tok/s", e.getKey(), e.getValue()[r]));
          }
          for (int threads : peerThreads) {
            peerInfo = PythonPeer.run(python, benchDir.resolve("peer_llama_decode.py"), List.of("--model",
                source.toString(), "--batch", Integer.toString(batch), "--prompt", Integer.toString(prompt), "--tokens",
                Integer.toString(tokens), "--repeats", "1", "--threads", Integer.toString(threads)),
                work.resolve("peer.log"), 30, console);
            peer.get(threads)[r] = peerInfo == null ? Double.NaN : peerInfo.path("tokens_per_second").get(0).asDouble();
            line.append(String.format(", PyTorch %d thread(s) %.1f tok/s", threads, peer.get(threads)[r]));
          }
          bandwidth.add(MemoryBandwidth.readGigabytesPerSecond(cores()));
          bandwidthOneThread.add(MemoryBandwidth.readGigabytesPerSecond(1));
          line.append(String.format(", memory read %.1f GB/s (%.1f at 1 thread)", bandwidth.get(bandwidth.size() - 1),
              bandwidthOneThread.get(bandwidthOneThread.size() - 1)));
          console.println(line);
          console.flush();
        }
        Map<String, Object> figures = new LinkedHashMap<>(rates);
        int faster = peerThreads.stream().max(java.util.Comparator.comparingDouble(t -> PythonPeer.median(peer.get(t))))
            .orElseThrow();
        figures.put("pytorch", peer.get(faster));
        peer.forEach((threads, values) -> figures.put("pytorch_" + threads + "_threads", values));
        if (peerInfo != null) {
          figures.put("peer", Map.of("torch", peerInfo.path("torch").asText(), "blas", peerInfo.path("blas").asText(),
              "threads", faster));
        }
        out.put("batch_" + batch, figures);
      }
      out.put("memory_read_gb_per_s", bandwidth);
      out.put("memory_read_gb_per_s_1_thread", bandwidthOneThread);
    } finally {
      engines.values().forEach(TextEngine::close);
    }
    return out;
  }

  /** The key of ONNX Runtime at one intra-op thread in the decode figures. */
  static final String ONNX_ONE_THREAD = "onnx_1_thread";

  private static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  private double decodeRate(TextEngine engine, int[][] prompts) {
    // Prefill plus one token, then prefill plus all: the difference is the decode steps alone.
    long a = System.nanoTime();
    engine.completeBatch(prompts, 1, SamplingSettings.greedy(), OptionalInt.empty());
    long b = System.nanoTime();
    engine.completeBatch(prompts, tokens + 1, SamplingSettings.greedy(), OptionalInt.empty());
    long c = System.nanoTime();
    double decodeSeconds = ((c - b) - (b - a)) / 1e9;
    return prompts.length * (double) tokens / decodeSeconds;
  }

  private static long directorySize(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      long total = 0;
      for (Path f : (Iterable<Path>) files::iterator) {
        total += Files.size(f);
      }
      return total;
    }
  }
}
