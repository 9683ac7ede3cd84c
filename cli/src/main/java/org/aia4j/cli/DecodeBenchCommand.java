package org.aia4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.aia4j.api.io.AtomicDirectory;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.djl.checkpoint.Checkpoint;
import org.aia4j.djl.infer.DjlUnifiedModel;
import org.aia4j.djl.train.TaskMix;
import org.aia4j.djl.train.TrainingConfig;
import org.aia4j.djl.train.TrainingPresets;
import org.aia4j.djl.train.UnifiedTrainer;
import org.aia4j.evaluation.geneval.GenEvalPrompt;
import org.aia4j.evaluation.geneval.GenEvalSuite;
import org.aia4j.inference.checkpoint.CheckpointFiles;
import org.aia4j.inference.decode.DecodingModel;
import org.aia4j.inference.model.ModelConfig;
import org.aia4j.inference.sequence.TokenLayout;
import org.aia4j.loss.StageSchedule;
import org.aia4j.onnx.runtime.OnnxUnifiedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aia bench decode}: image-generation decode speed with classifier-free guidance, ONNX
 * Runtime vs DJL eager vs the same loop in PyTorch/Python, at several batch sizes, written to
 * {@code docs/benchmarks/decode.json} and the report rendered from it ({@link BenchReport}). The
 * whole comparison runs {@code --comparisons} times; within each, ORT, DJL and the peer (a
 * long-lived process serving timed blocks) take turns block by block, so the machine's drift
 * falls on all of them, and every ratio is reported as the median over comparisons with its
 * min-max. Every engine decodes greedily, so all three must produce the same codes, which the
 * benchmark checks.
 */
@Command(name = "decode", mixinStandardHelpOptions = true,
    description = "Decode speed (image tokens/s with CFG) of ONNX Runtime vs DJL vs PyTorch/Python; writes docs/benchmarks/decode.md")
final class DecodeBenchCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--checkpoint", description = "A checkpoint to decode with (default: a fresh `small` model; "
      + "decode speed does not depend on the weights' values).")
  Path checkpoint;

  @Option(names = "--batches", defaultValue = "1,16", split = ",", description = "Images per call (default: ${DEFAULT-VALUE}).")
  List<Integer> batches;

  @Option(names = "--repeats", defaultValue = "5", description = "Measured calls per block (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(names = "--block-seconds", defaultValue = "1.0", description = "Each block runs at least --repeats calls"
      + " and at least this long, so a fast engine's block is not a few milliseconds of noise (default: ${DEFAULT-VALUE}).")
  double blockSeconds;

  @Option(names = "--comparisons", defaultValue = "5", description = "How many times the whole comparison runs, every"
      + " engine and the peer taking turns in blocks (default: ${DEFAULT-VALUE}).")
  int comparisons;

  @Option(names = "--warmup", defaultValue = "3", description = "Unmeasured calls first (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--cfg", defaultValue = "3.0", description = "Guidance weight; two rows per image (default: ${DEFAULT-VALUE}).")
  double cfg;

  @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with torch for the peer.")
  String python;

  @Option(names = "--peer-script", defaultValue = "bench/peer_decode.py", description = "The PyTorch peer.")
  Path peerScript;

  @Mixin
  BenchOutputOption output;

  private TokenLayout layout;

  @Override
  public Integer call() throws Exception {
    PrintWriter console = spec.commandLine().getOut();
    if (repeats < 1 || warmup < 0 || comparisons < 1
        || batches.stream().anyMatch(b -> b < 1 || b > DecodingModel.MAX_ROWS / 2)) {
      throw new IllegalArgumentException("--repeats >= 1, --comparisons >= 1, --warmup >= 0 and batches in [1, "
          + DecodingModel.MAX_ROWS / 2 + "]");
    }
    Path exchange = Files.createTempDirectory("aia-decode-bench-");
    try {
      Path model = checkpoint != null ? checkpoint : freshCheckpoint(exchange.resolve("small"), console);
      SamplingSettings greedy = new SamplingSettings(cfg, 0.0, 0, 0);
      List<String> prompts = GenEvalSuite.defaultSuite().stream().map(GenEvalPrompt::prompt).toList();
      Map<String, Object> results = new LinkedHashMap<>();
      results.put("benchmark", "decode");
      results.put("date", LocalDate.now().toString());
      results.put("cores", Runtime.getRuntime().availableProcessors());
      results.put("repeats", repeats);
      results.put("comparisons", comparisons);
      results.put("block_seconds", blockSeconds);
      results.put("warmup", warmup);
      results.put("load_before", PythonPeer.loadAverage());
      ModelConfig config;
      Map<Integer, int[][]> reference = new LinkedHashMap<>();
      Map<Integer, Map<String, double[]>> seconds = new LinkedHashMap<>();
      Map<Integer, Long> flops = new LinkedHashMap<>();
      Map<Integer, Integer> differing = new LinkedHashMap<>();
      // The GEMM rate the efficiency is read against, measured in every comparison: taken once,
      // it moved 103-273 GFLOP/s between runs on these machines.
      Map<Integer, double[]> gemmByBatch = new LinkedHashMap<>();
      JsonNode peerVersions = null;
      int cores = Runtime.getRuntime().availableProcessors();
      try (DjlUnifiedModel djl = DjlUnifiedModel.load(model);
          OnnxUnifiedModel onnx = OnnxUnifiedModel.load(model, Map.of("threads", Integer.toString(cores)));
          OnnxUnifiedModel onnxOne = OnnxUnifiedModel.load(model, Map.of("threads", "1"));
          PythonPeer.Session peer = startPeer(model, exchange, peerSpec(djl, djl.checkpoint().model().config(), prompts),
              console)) {
        config = djl.checkpoint().model().config();
        layout = djl.prompts().layout();
        peerVersions = peer == null ? null : peer.ready();
        Map<String, DecodingModel> engines = new LinkedHashMap<>();
        engines.put("onnx", onnx);
        engines.put("onnx_1_thread", onnxOne);
        engines.put("djl", djl);
        List<String> blocks = new java.util.ArrayList<>(engines.keySet());
        if (peer != null) {
          blocks.add("pytorch_1_thread");
          if (cores > 1) {
            blocks.add("pytorch_" + cores + "_threads");
          }
        }
        for (int batch : batches) {
          List<String> chosen = prompts.subList(0, batch);
          int[][] a = onnx.imageCodes(chosen, greedy);
          for (Map.Entry<String, DecodingModel> engine : engines.entrySet()) {
            if (!Arrays.deepEquals(a, engine.getValue().imageCodes(chosen, greedy))) {
              throw new IllegalStateException(engine.getKey() + " decoded other images than onnx at batch " + batch);
            }
          }
          reference.put(batch, a);
          flops.put(batch, flops(djl, config, chosen));
          if (peer != null) {
            differing.put(batch, differingTokens(a, peer.call(block(batch, 1, 0, 1)).path("codes")));
          }
          console.printf("Measuring batch %d (%d rows with CFG): %d comparisons, each a block of at least %d calls and"
              + " %.1f s per engine and peer thread count, taking turns%n", batch, 2 * batch, comparisons, repeats,
              blockSeconds);
          console.flush();
          // Every engine and the peer take turns block by block (each block warmed up), so the machine's
          // drift falls on all of them alike; the order rotates from one comparison to the next. Blocks,
          // not single calls: a DJL call leaves libtorch's OpenMP threads spinning, which would tax the next.
          Map<String, double[]> medians = new LinkedHashMap<>();
          blocks.forEach(name -> medians.put(name, new double[comparisons]));
          double[] gemmHere = new double[comparisons];
          gemmByBatch.put(batch, gemmHere);
          for (int c = 0; c < comparisons; c++) {
            StringBuilder line = new StringBuilder("  comparison " + (c + 1) + ":");
            for (int k = 0; k < blocks.size(); k++) {
              String name = blocks.get((k + c) % blocks.size());
              double median;
              DecodingModel engine = engines.get(name);
              if (engine != null) {
                for (int i = 0; i < warmup; i++) {
                  engine.imageCodes(chosen, greedy);
                }
                List<Double> times = new java.util.ArrayList<>();
                long began = System.nanoTime();
                while (times.size() < repeats || (System.nanoTime() - began) / 1e9 < blockSeconds) {
                  times.add(time(() -> engine.imageCodes(chosen, greedy)));
                }
                median = PythonPeer.median(times.stream().mapToDouble(Double::doubleValue).toArray());
              } else {
                int threads = name.equals("pytorch_1_thread") ? 1 : cores;
                JsonNode times = peer.call(block(batch, threads, warmup, repeats)).path("seconds");
                double[] values = new double[times.size()];
                for (int i = 0; i < values.length; i++) {
                  values[i] = times.get(i).asDouble();
                }
                median = PythonPeer.median(values);
              }
              medians.get(name)[c] = median;
              line.append(String.format(java.util.Locale.ROOT, " %s %.0f tok/s", name,
                  batch * (double) a[0].length / median));
            }
            gemmHere[c] = gemmGflops();
            line.append(String.format(java.util.Locale.ROOT, ", GEMM %.0f GFLOP/s", gemmHere[c]));
            console.println(line);
            console.flush();
          }
          seconds.put(batch, medians);
        }
      }
      results.put("load_after", PythonPeer.loadAverage());
      double gemm = PythonPeer.median(gemmByBatch.values().stream().flatMapToDouble(java.util.Arrays::stream).toArray());
      results.put("model", config);
      results.put("parameters", config.parameterCount());
      results.put("cfg", cfg);
      results.put("image_tokens", reference.values().iterator().next()[0].length);
      results.put("gemm_gflops_measured", gemm);
      results.put("fp32_peak_gflops_nominal", nominalPeak());
      write(results, seconds, flops, gemmByBatch, reference, differing, peerVersions, console);
    } finally {
      AtomicDirectory.deleteTree(exchange);
    }
    return 0;
  }

  private static double time(Runnable work) {
    long start = System.nanoTime();
    work.run();
    return (System.nanoTime() - start) / 1e9;
  }

  /** A `small` model after 2 steps: the real architecture, shapes and vocabulary. */
  private static Path freshCheckpoint(Path dir, PrintWriter console) throws IOException {
    console.println("Making a fresh `small` checkpoint (2 training steps) to decode with");
    console.flush();
    TrainingConfig config = TrainingPresets.config("small", TaskMix.BOTH, false,
        StageSchedule.paperDefault().toJson(), 2, 0);
    try (UnifiedTrainer trainer = WorldRuns.trainer(config)) {
      trainer.train(Integer.MAX_VALUE, (d, t, m) -> {}, r -> {});
      Checkpoint.save(dir, trainer, List.of());
    }
    return dir;
  }

  /** What the Python peer needs: shapes, each batch's cond/uncond prefixes, the allowed image ids. */
  private ObjectNode peerSpec(DjlUnifiedModel model, ModelConfig config, List<String> prompts) {
    ObjectNode node = new ObjectMapper().createObjectNode();
    node.put("layers", config.layers());
    node.put("heads", config.heads());
    node.put("vocabulary", config.vocabSize());
    node.put("cfg", cfg);
    node.put("image_tokens", model.prompts().image().tokensPerImage());
    ArrayNode allowed = node.putArray("allowed");
    boolean[] mask = model.allowedImageTokens();
    for (int i = 0; i < mask.length; i++) {
      if (mask[i]) {
        allowed.add(i);
      }
    }
    ObjectNode all = node.putObject("batches");
    int[] unconditional = model.prompts().generationPrefix(null);
    for (int batch : batches) {
      ArrayNode rows = all.putObject(Integer.toString(batch)).putArray("prefixes");
      for (String prompt : prompts.subList(0, batch)) {
        ArrayNode cond = rows.addArray();
        Arrays.stream(model.prompts().generationPrefix(prompt)).forEach(cond::add);
        ArrayNode uncond = rows.addArray();
        Arrays.stream(unconditional).forEach(uncond::add);
      }
    }
    return node;
  }

  /**
   * Useful multiply-add FLOPs of one call: each row's own prefix and image tokens, one position at
   * a time (padding, which a decoding may or may not compute, is not counted): the layers' matrix
   * products and attention at each position, and the head once per row per step.
   */
  private static long flops(DecodingModel model, ModelConfig c, List<String> prompts) {
    int steps = model.prompts().image().tokensPerImage();
    long w = c.width();
    long perPosition = 2L * c.layers() * (4 * w * w + 2 * w * c.mlpWidth());
    long total = 0;
    List<String> rows = new java.util.ArrayList<>(prompts);
    prompts.forEach(prompt -> rows.add(null)); // the unconditional row of each image
    for (String prompt : rows) {
      int prefix = model.prompts().generationPrefix(prompt).length;
      for (int s = 1; s <= prefix + steps - 1; s++) {
        total += perPosition + 2L * c.layers() * 2 * w * s; // q k^T and p v against s keys
      }
      total += (long) steps * 2 * w * c.vocabSize();
    }
    return total;
  }

  /** A 1024^3 float32 matrix product on libtorch (MKL), the best this machine does in practice. */
  private static double gemmGflops() {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      NDArray a = manager.randomUniform(-1, 1, new ai.djl.ndarray.types.Shape(1024, 1024));
      NDArray b = manager.randomUniform(-1, 1, new ai.djl.ndarray.types.Shape(1024, 1024));
      double best = Double.MAX_VALUE;
      for (int i = 0; i < 12; i++) {
        long start = System.nanoTime();
        try (NDArray c = a.matMul(b)) {
          c.toFloatArray();
        }
        best = Math.min(best, (System.nanoTime() - start) / 1e9);
      }
      return 2.0 * 1024 * 1024 * 1024 / best / 1e9;
    }
  }

  /** cores x clock x FLOPs/cycle: 64 with AVX-512 (16 lanes x 2 for FMA x 2 FMA ports), 32 with AVX2; or NaN. */
  private static double nominalPeak() {
    try {
      List<String> cpu = Files.readAllLines(Path.of("/proc/cpuinfo"));
      double mhz = cpu.stream().filter(l -> l.startsWith("cpu MHz")).mapToDouble(l -> Double.parseDouble(l.split(":")[1].trim()))
          .max().orElse(Double.NaN);
      boolean avx512 = cpu.stream().anyMatch(l -> l.startsWith("flags") && l.contains(" avx512f"));
      return Runtime.getRuntime().availableProcessors() * mhz / 1000 * (avx512 ? 64 : 32);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** Starts the peer on the model and the prefixes; null when Python or the script is missing. */
  private PythonPeer.Session startPeer(Path model, Path exchange, ObjectNode peerSpec, PrintWriter console)
      throws IOException {
    Files.copy(model.resolve(CheckpointFiles.MODEL), exchange.resolve("model.safetensors"));
    Files.writeString(exchange.resolve("decode.json"), peerSpec.toString(), StandardCharsets.UTF_8);
    console.println("Starting the PyTorch/Python peer (KV cache, same prefixes, same guidance)");
    console.flush();
    return PythonPeer.serve(python, peerScript, List.of("--dir", exchange.toString()), exchange.resolve("peer.log"),
        console);
  }

  private ObjectNode block(int batch, int threads, int warmup, int repeats) {
    ObjectNode block = new ObjectMapper().createObjectNode();
    block.put("batch", Integer.toString(batch));
    block.put("threads", threads);
    block.put("warmup", warmup);
    block.put("repeats", repeats);
    block.put("min_seconds", repeats > 1 ? blockSeconds : 0);
    return block;
  }

  /**
   * Adds the per-batch figures to {@code results}, writes them and the report rendered from them.
   * Each comparison gives every engine its faster thread count and its own ratios, so a ratio's
   * spread over comparisons is the spread a rerun would show.
   */
  private void write(Map<String, Object> results, Map<Integer, Map<String, double[]>> seconds,
      Map<Integer, Long> flops, Map<Integer, double[]> gemm, Map<Integer, int[][]> reference, Map<Integer, Integer> differing, JsonNode peer,
      PrintWriter console) throws IOException {
    int imageTokens = (Integer) results.get("image_tokens");
    int cores = Runtime.getRuntime().availableProcessors();
    Map<String, Object> perBatch = new LinkedHashMap<>();
    for (Map.Entry<Integer, Map<String, double[]>> entry : seconds.entrySet()) {
      int batch = entry.getKey();
      Map<String, double[]> blocks = entry.getValue();
      double tokens = (double) batch * imageTokens;
      double[] ort = new double[comparisons];
      double[] djl = new double[comparisons];
      double[] py = peer == null ? null : new double[comparisons];
      for (int c = 0; c < comparisons; c++) {
        ort[c] = tokens / Math.min(blocks.get("onnx")[c], blocks.get("onnx_1_thread")[c]);
        djl[c] = tokens / blocks.get("djl")[c];
        if (py != null) {
          double pyAll = cores > 1 ? blocks.get("pytorch_" + cores + "_threads")[c] : Double.MAX_VALUE;
          py[c] = tokens / Math.min(blocks.get("pytorch_1_thread")[c], pyAll);
        }
      }
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("block_median_s", blocks);
      row.put("onnx_best_threads", PythonPeer.median(blocks.get("onnx_1_thread")) < PythonPeer.median(blocks.get("onnx"))
          ? 1 : cores);
      row.put("onnx_tokens_per_s", ort);
      row.put("djl_tokens_per_s", djl);
      row.put("onnx_over_djl", divide(ort, djl));
      row.put("flops_per_call", flops.get(batch));
      row.put("onnx_gflops", flops.get(batch) * PythonPeer.median(ort) / tokens / 1e9);
      double[] ofGemm = new double[comparisons];
      for (int c = 0; c < comparisons; c++) {
        ofGemm[c] = flops.get(batch) * ort[c] / tokens / 1e9 / gemm.get(batch)[c];
      }
      row.put("gemm_gflops", gemm.get(batch));
      row.put("onnx_of_gemm", ofGemm);
      if (py != null) {
        double pyAll = cores > 1 ? PythonPeer.median(blocks.get("pytorch_" + cores + "_threads")) : Double.MAX_VALUE;
        row.put("pytorch_best_threads", PythonPeer.median(blocks.get("pytorch_1_thread")) <= pyAll ? 1 : cores);
        row.put("pytorch_tokens_per_s", py);
        row.put("onnx_over_pytorch", divide(ort, py));
        int[][] codes = reference.get(batch);
        row.put("pytorch_differing_tokens", differing.get(batch));
        row.put("pytorch_compared_tokens", codes.length * codes[0].length);
      }
      perBatch.put(Integer.toString(batch), row);
    }
    results.put("batches", perBatch);
    if (peer != null) {
      results.put("pytorch", Map.of("torch", peer.path("torch").asText(), "blas", peer.path("blas").asText()));
    }
    results.put("onnxruntime", ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion());
    console.print(BenchReport.write(output.out(), "decode", new ObjectMapper().valueToTree(results)));
    console.flush();
  }

  private static double[] divide(double[] a, double[] b) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] / b[i];
    }
    return out;
  }

  /** How many of aia4j's image codes the peer's unified ids disagree with. */
  private int differingTokens(int[][] codes, JsonNode peerIds) {
    int differing = 0;
    for (int k = 0; k < codes.length; k++) {
      for (int t = 0; t < codes[k].length; t++) {
        int id = peerIds.path(k).path(t).asInt(-1);
        if (id < 0 || !layout.isImageToken(id) || layout.toImage(id) != codes[k][t]) {
          differing++;
        }
      }
    }
    return differing;
  }
}
