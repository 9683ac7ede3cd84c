package org.aia4j.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.aia4j.api.interaction.InteractionRoles;
import org.aia4j.api.interaction.InteractionSets;
import org.aia4j.api.io.AtomicDirectory;
import org.aia4j.api.model.Task;
import org.aia4j.djl.io.ModelWeights;
import org.aia4j.djl.sequence.Batch;
import org.aia4j.djl.sequence.BatchCollator;
import org.aia4j.djl.train.StepRecord;
import org.aia4j.djl.train.TaskMix;
import org.aia4j.djl.train.TrainingConfig;
import org.aia4j.djl.train.TrainingPresets;
import org.aia4j.djl.train.UnifiedTrainer;
import org.aia4j.inference.io.SafeTensors;
import org.aia4j.inference.sequence.TokenSequence;
import org.aia4j.loss.AiaLoss;
import org.aia4j.loss.AiaLossProvider;
import org.aia4j.loss.LayerTargets;
import org.aia4j.loss.StageSchedule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code aia bench train}: the training step of aia4j against the same model, batch and optimizer
 * in PyTorch/Python (Debian's python3-torch), and the AIA loss's overhead, written to
 * {@code docs/benchmarks/} as {@code train-step.json} and the report rendered from it ({@link BenchReport}).
 * The comparison runs {@code --comparisons} times; in each, at every thread count, aia4j's modes
 * and the peer (a long-lived process serving timed blocks) take turns block by block, so the
 * machine's drift falls on both; ratios are taken within each comparison and reported as the
 * median with the min-max.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that write docs/benchmarks/.",
    subcommands = {BenchCommand.Train.class, DecodeBenchCommand.class, ServeBenchCommand.class, ImportBenchCommand.class,
        BenchCommand.Render.class})
final class BenchCommand extends CommandGroup {
  /** {@code aia bench render}: a report again from its committed JSON, without running anything. */
  @Command(name = "render", mixinStandardHelpOptions = true,
      description = "Re-render benchmark reports (NAME.md) from their raw figures (NAME.json), with NAME.notes.md appended.")
  static final class Render implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE.json", description = "Results an aia bench command wrote.")
    List<Path> results;

    @Override
    public Integer call() throws IOException {
      for (Path json : results) {
        BenchReport.renderBeside(json);
        spec.commandLine().getOut().println("Rendered " + json.resolveSibling(
            json.getFileName().toString().replaceFirst("\\.json$", ".md")));
      }
      return 0;
    }
  }

  /** {@code aia bench train}. */
  @Command(name = "train", mixinStandardHelpOptions = true,
      description = "Training step time: aia4j (DJL) vs PyTorch/Python, next-token only vs with AIA.")
  static final class Train implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    PresetOption preset;

    @Option(names = "--steps", defaultValue = "10", description = "Measured steps per mode and block (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--warmup", defaultValue = "3", description = "Unmeasured steps before each block (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--comparisons", defaultValue = "3", description = "How many times the whole comparison runs, aia4j"
        + " and the peer taking turns in blocks at each thread count (default: ${DEFAULT-VALUE}).")
    int comparisons;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with torch for the peer.")
    String python;

    @Option(names = "--peer-script", defaultValue = "bench/peer_train_step.py", description = "The PyTorch peer.")
    Path peerScript;

    @Mixin
    BenchOutputOption output;

    @Override
    public Integer call() throws Exception {
      PrintWriter console = spec.commandLine().getOut();
      JsonNode paper = StageSchedule.paperDefault().toJson();
      TrainingConfig withAia = TrainingPresets.config(preset.preset(), TaskMix.BOTH, true, paper, 1000, 0);
      TrainingConfig without = TrainingPresets.config(preset.preset(), TaskMix.BOTH, false, paper, 1000, 0);
      Map<String, Object> results = new LinkedHashMap<>();
      results.put("benchmark", "train-step");
      results.put("date", LocalDate.now().toString());
      results.put("cores", Runtime.getRuntime().availableProcessors());
      results.put("preset", preset.preset());
      results.put("warmup", warmup);
      if (steps < 1 || warmup < 0 || comparisons < 1) {
        throw new IllegalArgumentException("--steps >= 1, --warmup >= 0 and --comparisons >= 1");
      }
      results.put("comparisons", comparisons);
      results.put("load_before", PythonPeer.loadAverage());
      List<String> modes = List.of("ntp", "aia", "aia_query_rows");
      List<String> peerModes = List.of("ntp", "aia");
      Map<String, Map<Integer, double[]>> ours = perComparison(modes);
      Map<String, Map<Integer, double[]>> peerMs = perComparison(peerModes);
      Map<String, Double> javaFirst = new LinkedHashMap<>();
      Map<String, Double> peerFirst = new LinkedHashMap<>();
      JsonNode peerVersions = null;
      Path exchange = Files.createTempDirectory("aia-bench-");
      try {
        Map<Task, List<TokenSequence>> batch = new LinkedHashMap<>();
        long tokens;
        try (UnifiedTrainer plain = WorldRuns.trainer(without); UnifiedTrainer aia = WorldRuns.trainer(withAia);
            UnifiedTrainer lean = WorldRuns.trainer(withAia)) {
          lean.setInteractionPath(UnifiedTrainer.InteractionPath.QUERY_ROWS);
          for (Task task : Task.values()) {
            batch.put(task, plain.sequences(task, 0));
          }
          tokens = batch.values().stream().flatMap(List::stream).mapToLong(TokenSequence::length).sum();
          export(plain, batch, withAia, exchange);
          results.put("model", plain.model().config());
          results.put("parameters", plain.model().config().parameterCount());
          console.printf("Measuring %s, batch %d sequences (%d tokens): %d comparisons; in each, at every thread count,"
              + " a block of %d + %d steps per mode for aia4j (modes taking turns step by step) and for the peer%n",
              preset.preset(), withAia.batchSize(), tokens, comparisons, warmup, steps);
          console.flush();
          try (PythonPeer.Session peer = PythonPeer.serve(python, peerScript, List.of("--dir", exchange.toString()),
              exchange.resolve("peer.log"), console)) {
            peerVersions = peer == null ? null : peer.ready();
            int restore = JniUtils.getNumThreads();
            try {
              for (int c = 0; c < comparisons; c++) {
                for (int threads : threadCounts()) {
                  // Who goes first alternates, so neither side always runs on a machine the other warmed.
                  boolean peerFirstHere = c % 2 == 1;
                  if (peerFirstHere && peer != null) {
                    peerBlock(peer, threads, c, peerModes, peerMs, peerFirst);
                  }
                  JniUtils.setNumThreads(threads);
                  double[][][] measured = measure(List.of(plain, aia, lean), List.of(false, true, true), batch);
                  for (int t = 0; t < modes.size(); t++) {
                    javaFirst.putIfAbsent(modes.get(t), measured[t][1][0]); // only the first block sees the initial weights
                    ours.get(modes.get(t)).get(threads)[c] = PythonPeer.median(measured[t][0]);
                  }
                  if (!peerFirstHere && peer != null) {
                    peerBlock(peer, threads, c, peerModes, peerMs, peerFirst);
                  }
                  console.printf(java.util.Locale.ROOT, "  comparison %d, %d thread(s): aia4j ntp %.1f ms, aia %.1f ms%s%n",
                      c + 1, threads, 1000 * ours.get("ntp").get(threads)[c], 1000 * ours.get("aia").get(threads)[c],
                      peer == null ? "" : String.format(java.util.Locale.ROOT, "; PyTorch ntp %.1f ms, aia %.1f ms",
                          1000 * peerMs.get("ntp").get(threads)[c], 1000 * peerMs.get("aia").get(threads)[c]));
                  console.flush();
                }
              }
            } finally {
              JniUtils.setNumThreads(restore);
            }
          }
        }
        results.put("load_after", PythonPeer.loadAverage());
        results.put("batch_sequences", withAia.batchSize());
        results.put("batch_tokens", tokens);
        results.put("steps", steps);
        Map<String, Object> aia4j = new LinkedHashMap<>();
        for (String mode : modes) {
          aia4j.put(mode, summary(ours.get(mode), javaFirst.get(mode)));
        }
        results.put("aia4j", aia4j);
        results.put("aia_overhead", overheads(best(ours.get("aia")), best(ours.get("ntp"))));
        results.put("aia_query_rows_overhead", overheads(best(ours.get("aia_query_rows")), best(ours.get("ntp"))));
        if (peerVersions != null) {
          Map<String, Object> peer = new LinkedHashMap<>();
          peer.put("torch", peerVersions.path("torch").asText());
          peer.put("blas", peerVersions.path("blas").asText());
          for (String mode : peerModes) {
            peer.put(mode, summary(peerMs.get(mode), peerFirst.get(mode)));
          }
          peer.put("aia_overhead", overheads(best(peerMs.get("aia")), best(peerMs.get("ntp"))));
          results.put("pytorch", peer);
          results.put("ntp_ratio", ratios(best(ours.get("ntp")), best(peerMs.get("ntp"))));
          results.put("aia_ratio", ratios(best(ours.get("aia")), best(peerMs.get("aia"))));
        }
        console.print(BenchReport.write(output.out(), "train-step", new ObjectMapper().valueToTree(results)));
        console.flush();
      } finally {
        AtomicDirectory.deleteTree(exchange);
      }
      return 0;
    }

    /** One block of the peer per mode at {@code threads}, its median kept for comparison {@code c}. */
    private void peerBlock(PythonPeer.Session peer, int threads, int c, List<String> modes,
        Map<String, Map<Integer, double[]>> medians, Map<String, Double> first) throws IOException {
      for (String mode : modes) {
        ObjectNode block = new ObjectMapper().createObjectNode();
        block.put("mode", mode);
        block.put("threads", threads);
        block.put("warmup", warmup);
        block.put("steps", steps);
        JsonNode reply = peer.call(block);
        double[] seconds = new double[reply.path("seconds").size()];
        for (int i = 0; i < seconds.length; i++) {
          seconds[i] = reply.path("seconds").get(i).asDouble();
        }
        medians.get(mode).get(threads)[c] = PythonPeer.median(seconds);
        first.putIfAbsent(mode, reply.path("first_loss").asDouble());
      }
    }

    private Map<String, Map<Integer, double[]>> perComparison(List<String> modes) {
      Map<String, Map<Integer, double[]>> out = new LinkedHashMap<>();
      for (String mode : modes) {
        Map<Integer, double[]> byThreads = new LinkedHashMap<>();
        threadCounts().forEach(t -> byThreads.put(t, new double[comparisons]));
        out.put(mode, byThreads);
      }
      return out;
    }

    /** Per comparison, the faster thread count's median (seconds). */
    private double[] best(Map<Integer, double[]> byThreads) {
      double[] out = new double[comparisons];
      Arrays.fill(out, Double.MAX_VALUE);
      for (double[] values : byThreads.values()) {
        for (int c = 0; c < comparisons; c++) {
          out[c] = Math.min(out[c], values[c]);
        }
      }
      return out;
    }

    private static double[] ratios(double[] a, double[] b) {
      double[] out = new double[a.length];
      for (int i = 0; i < a.length; i++) {
        out[i] = a[i] / b[i];
      }
      return out;
    }

    private static double[] overheads(double[] with, double[] without) {
      double[] out = ratios(with, without);
      for (int i = 0; i < out.length; i++) {
        out[i] -= 1;
      }
      return out;
    }

    /** A mode's first-step loss and, per comparison, its median step at its faster thread count (ms) and at each. */
    private Map<String, Object> summary(Map<Integer, double[]> byThreads, double firstLoss) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("first_loss", firstLoss);
      s.put("median_ms", Arrays.stream(best(byThreads)).map(v -> 1000 * v).toArray());
      Map<String, double[]> perThreads = new LinkedHashMap<>();
      byThreads.forEach((t, v) -> perThreads.put(Integer.toString(t), Arrays.stream(v).map(x -> 1000 * x).toArray()));
      s.put("median_ms_by_threads", perThreads);
      return s;
    }

    /** Per trainer: step times in seconds of the measured steps, and the first step's loss. */
    private double[][][] measure(List<UnifiedTrainer> trainers, List<Boolean> aia, Map<Task, List<TokenSequence>> batch) {
      double[][][] out = new double[trainers.size()][][];
      for (int t = 0; t < trainers.size(); t++) {
        out[t] = new double[][] {new double[steps], {Double.NaN}};
      }
      for (int i = 0; i < warmup + steps; i++) {
        for (int t = 0; t < trainers.size(); t++) {
          StepRecord record = trainers.get(t).step(batch, aia.get(t));
          if (i == 0) {
            out[t][1][0] = record.loss();
          }
          if (i >= warmup) {
            out[t][0][i - warmup] = record.seconds();
          }
        }
      }
      return out;
    }

    /** Writes the model, the fixed batch and the AIA targets for the Python peer. */
    private static void export(UnifiedTrainer trainer, Map<Task, List<TokenSequence>> batch, TrainingConfig config,
        Path dir) throws IOException {
      ModelWeights.save(trainer.model(), dir.resolve("model.safetensors"), Map.of());
      Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
      ObjectNode spec = new ObjectMapper().createObjectNode();
      spec.put("layers", trainer.model().config().layers());
      spec.put("heads", trainer.model().config().heads());
      spec.put("lr", trainer.learningRate(0));
      spec.put("weight_decay", config.weightDecay());
      ArrayNode tasks = spec.putArray("tasks");
      ObjectNode aia = spec.putObject("aia");
      AiaLoss loss = new AiaLossProvider().createAia(config.schedule());
      StageSchedule schedule = loss.schedule();
      aia.put("aggregation", loss.options().aggregation().label());
      try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
        for (Map.Entry<Task, List<TokenSequence>> entry : batch.entrySet()) {
          String name = entry.getKey().shortName();
          tasks.add(name);
          Batch b = BatchCollator.collate(manager, entry.getValue());
          InteractionSets sets = b.interactionSets(loss.roles(entry.getKey()));
          long[] shape = b.tokens().getShape().getShape();
          tensors.put(name + ".tokens", longs(shape, b.tokens().toLongArray()));
          tensors.put(name + ".labels", longs(shape, b.labels().toLongArray()));
          tensors.put(name + ".loss_mask", SafeTensors.Tensor.ofFloats(shape, b.lossMask().toFloatArray()));
          tensors.put(name + ".key_mask", SafeTensors.Tensor.ofFloats(shape, sets.keyMask(manager).toFloatArray()));
          var index = sets.queryIndex(manager);
          tensors.put(name + ".query_index", longs(index.getShape().getShape(), index.toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray()));
          var valid = sets.queryValid(manager);
          tensors.put(name + ".query_valid", SafeTensors.Tensor.ofFloats(valid.getShape().getShape(), valid.toFloatArray()));
          float[] dropped = b.promptDropped().toFloatArray();
          float[] qualifies = new float[dropped.length];
          for (int i = 0; i < dropped.length; i++) {
            qualifies[i] = dropped[i] == 0 && sets.queryCount(i) > 0 ? 1f : 0f;
          }
          tensors.put(name + ".qualifies", SafeTensors.Tensor.ofFloats(new long[] {qualifies.length}, qualifies));
          LayerTargets targets = schedule.resolve(entry.getKey(), trainer.model().config().layers());
          ObjectNode t = aia.putObject(name);
          t.put("lambda", targets.lambda());
          ArrayNode target = t.putArray("target");
          Arrays.stream(targets.target()).forEach(target::add);
          ArrayNode delta = t.putArray("delta");
          Arrays.stream(targets.delta()).forEach(delta::add);
        }
      }
      SafeTensors.write(dir.resolve("batch.safetensors"), tensors, Map.of());
      Files.writeString(dir.resolve("peer.json"), spec.toString(), StandardCharsets.UTF_8);
    }

    private static SafeTensors.Tensor longs(long[] shape, long[] values) {
      ByteBuffer buffer = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
      for (long v : values) {
        buffer.putLong(v);
      }
      buffer.flip();
      return new SafeTensors.Tensor(SafeTensors.DType.I64, shape, buffer);
    }

    /** 1 and every core: the thread counts each engine is measured at. */
    private static List<Integer> threadCounts() {
      int cores = Runtime.getRuntime().availableProcessors();
      return cores > 1 ? List.of(1, cores) : List.of(1);
    }
  }
}
