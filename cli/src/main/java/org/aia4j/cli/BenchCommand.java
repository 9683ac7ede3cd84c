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
 * Ratios are taken within one run, since these machines are noisy.
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

    @Option(names = "--steps", defaultValue = "20", description = "Measured steps per mode (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--warmup", defaultValue = "5", description = "Unmeasured steps first (default: ${DEFAULT-VALUE}).")
    int warmup;

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
      Path exchange = Files.createTempDirectory("aia-bench-");
      try {
        Map<Task, List<TokenSequence>> batch;
        Map<String, double[]> java = new LinkedHashMap<>();
        double javaFirstNtp;
        double javaFirstAia;
        long tokens;
        try (UnifiedTrainer plain = WorldRuns.trainer(without); UnifiedTrainer aia = WorldRuns.trainer(withAia)) {
          batch = new LinkedHashMap<>();
          for (Task task : Task.values()) {
            batch.put(task, plain.sequences(task, 0));
          }
          tokens = batch.values().stream().flatMap(List::stream).mapToLong(TokenSequence::length).sum();
          export(plain, batch, withAia, exchange);
          console.printf("Measuring aia4j: %s, batch %d sequences (%d tokens), %d + %d steps per mode%n", preset.preset(),
              withAia.batchSize(), tokens, warmup, steps);
          console.flush();
          try (UnifiedTrainer lean = WorldRuns.trainer(withAia)) {
            lean.setInteractionPath(UnifiedTrainer.InteractionPath.QUERY_ROWS);
            // Each engine is reported at its faster intra-op thread count: small products can be
            // slower on two threads than on one. Modes take turns step by step, so a slow spell of
            // this noisy machine hits all alike.
            int restore = JniUtils.getNumThreads();
            ObjectNode byThreads = new ObjectMapper().createObjectNode();
            double[][][] best = null;
            double[][][] first = null;
            int bestThreads = 0;
            try {
              for (int threads : threadCounts()) {
                JniUtils.setNumThreads(threads);
                double[][][] measured = measure(List.of(plain, aia, lean), List.of(false, true, true), batch);
                if (first == null) {
                  first = measured; // the only round whose first step sees the initial weights
                }
                double median = PythonPeer.median(measured[0][0]);
                byThreads.put(Integer.toString(threads), 1000 * median);
                if (best == null || median < PythonPeer.median(best[0][0])) {
                  best = measured;
                  bestThreads = threads;
                }
              }
            } finally {
              JniUtils.setNumThreads(restore);
            }
            javaFirstNtp = first[0][1][0];
            javaFirstAia = first[1][1][0];
            java.put("ntp", best[0][0]);
            java.put("aia", best[1][0]);
            java.put("aia_query_rows", best[2][0]);
            results.put("aia_query_rows_first_loss", first[2][1][0]);
            results.put("aia4j_threads", bestThreads);
            results.put("aia4j_ntp_median_ms_by_threads", byThreads);
          }
          results.put("model", plain.model().config());
          results.put("parameters", plain.model().config().parameterCount());
        }
        results.put("batch_sequences", withAia.batchSize());
        results.put("batch_tokens", tokens);
        results.put("aia4j", Map.of(
            "ntp", summary(java.get("ntp"), javaFirstNtp),
            "aia", summary(java.get("aia"), javaFirstAia),
            "aia_query_rows", summary(java.get("aia_query_rows"), (Double) results.get("aia_query_rows_first_loss"))));
        JsonNode peer = runPeer(exchange, console);
        if (peer != null) {
          results.put("pytorch", peer);
        }
        results.put("aia_overhead", PythonPeer.median(java.get("aia")) / PythonPeer.median(java.get("ntp")) - 1);
        console.print(BenchReport.write(output.out(), "train-step", new ObjectMapper().valueToTree(results)));
        console.flush();
      } finally {
        AtomicDirectory.deleteTree(exchange);
      }
      return 0;
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

    private static Map<String, Object> summary(double[] seconds, double firstLoss) {
      double[] sorted = seconds.clone();
      Arrays.sort(sorted);
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("first_loss", firstLoss);
      s.put("median_ms", 1000 * sorted[sorted.length / 2]);
      s.put("min_ms", 1000 * sorted[0]);
      s.put("steps", sorted.length);
      return s;
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

    /** The peer at each of {@link #threadCounts()}; its faster run, with every run's next-token median. */
    private JsonNode runPeer(Path exchange, PrintWriter console) throws Exception {
      console.println("Measuring the PyTorch/Python peer on the same model and batch");
      console.flush();
      ObjectNode best = null;
      ObjectNode byThreads = new ObjectMapper().createObjectNode();
      for (int threads : threadCounts()) {
        JsonNode run = PythonPeer.run(python, peerScript, List.of("--dir", exchange.toString(), "--warmup",
            Integer.toString(warmup), "--steps", Integer.toString(steps), "--threads", Integer.toString(threads)),
            exchange.resolve("peer-" + threads + ".out"), 20, console);
        if (run == null) {
          return null;
        }
        double median = run.path("ntp").path("median_ms").asDouble();
        byThreads.put(Integer.toString(threads), median);
        if (best == null || median < best.path("ntp").path("median_ms").asDouble()) {
          best = (ObjectNode) run.deepCopy();
        }
      }
      best.set("ntp_median_ms_by_threads", byThreads);
      return best;
    }

  }
}
