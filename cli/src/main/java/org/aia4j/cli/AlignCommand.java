package org.aia4j.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.aia4j.api.model.Task;
import org.aia4j.djl.checkpoint.Checkpoint;
import org.aia4j.djl.io.ModelWeights;
import org.aia4j.djl.model.UnifiedTransformer;
import org.aia4j.djl.profile.AlignmentProfiler;
import org.aia4j.evaluation.data.WorldTrainingData;
import org.aia4j.inference.checkpoint.TextModel;
import org.aia4j.inference.model.ModelConfig;
import org.aia4j.inference.profile.AlignmentCurve;
import org.aia4j.inference.profile.AlignmentFile;
import org.aia4j.inference.profile.MutualKnn;
import org.aia4j.inference.sequence.SequenceBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aia align}: UniFork's per-layer modality alignment (mutual k-NN) of a checkpoint for one task. */
@Command(name = "align", mixinStandardHelpOptions = true,
    description = "Measure a checkpoint's per-layer modality alignment: the mutual k-NN overlap of pooled image-token "
        + "and text-token hidden states over samples of one task (a forked model: through the task's branch).")
final class AlignCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--checkpoint", required = true, description = "A checkpoint directory (aia train --out), or an"
      + " imported model with --data.")
  Path checkpoint;

  @Option(names = "--task", required = true, description = "und (image -> question and answer) or gen (prompt -> image).")
  String task;

  @Option(names = "--samples", defaultValue = "256", description = "Samples (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--k", defaultValue = "" + MutualKnn.DEFAULT_K, description = "Neighbours per sample (default: ${DEFAULT-VALUE}).")
  int k;

  @Option(names = "--out", required = true, description = "The alignment JSON to write (aia report plots it).")
  Path out;

  @Option(names = "--data", description = "For an imported model: data files whose samples are laid out in the model's"
      + " recorded image layout (pre-tokenized .jsonl rows carrying image codes, as aia train --data reads them),"
      + " the first --samples of the task in file order.", arity = "1..*")
  List<Path> data = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    Task parsed = Task.parse(task);
    if (samples < 2) {
      throw new IllegalArgumentException("--samples must be >= 2, got " + samples);
    }
    if (k < 1 || k >= samples) {
      throw new IllegalArgumentException("--k must be in [1, samples - 1] = [1, " + (samples - 1) + "], got " + k);
    }
    AlignmentCurve curve;
    if (TextModel.isTextOnly(checkpoint)) {
      if (data.isEmpty()) {
        throw new IllegalArgumentException(checkpoint + " is an imported model: measure it on --data files laid out in"
            + " its image layout");
      }
      curve = alignImported(parsed);
    } else {
      curve = align(checkpoint, parsed, samples, k, out);
    }
    PrintWriter console = spec.commandLine().getOut();
    console.printf("Modality alignment (%s, %d samples, k = %d; chance about %.3f) of %s:%n", parsed.shortName(),
        curve.samples(), k, k / (double) (curve.samples() - 1), checkpoint);
    for (int l = 0; l < curve.layers(); l++) {
      console.printf("  layer %2d  %.3f%n", l, curve.perLayer().get(l));
    }
    console.printf("Wrote %s%n", out);
    console.flush();
    return 0;
  }

  /** An imported model's alignment over its own samples from {@code --data}, on DJL. */
  private AlignmentCurve alignImported(Task parsed) throws IOException {
    TextModel model = TextModel.open(checkpoint);
    LaidOutSamples laidOut = LaidOutSamples.read(checkpoint, model, data, parsed, samples);
    if (laidOut.sequences().size() <= k) {
      throw new IllegalArgumentException("The --data files " + laidOut.data() + " hold " + laidOut.sequences().size()
          + " " + parsed.shortName() + " samples; --k " + k + " needs more than " + k);
    }
    try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      UnifiedTransformer transformer = new UnifiedTransformer(model.model());
      ModelWeights.load(transformer, manager, model.dir(), model.weights());
      AlignmentCurve curve = new AlignmentProfiler(transformer, null, manager)
          .profile(laidOut.sequences(), parsed, k, 32);
      Map<String, Object> source = new LinkedHashMap<>();
      source.put("checkpoint", checkpoint.toAbsolutePath().toString());
      source.put("model", model.source());
      source.put("backend", "djl");
      source.put("data", laidOut.data());
      source.put("layout", laidOut.layout());
      source.put("metric", METRIC);
      AlignmentFile.write(out, curve, source);
      return curve;
    }
  }

  private static final String METRIC = "mutual k-NN (cosine) of per-sample mean-pooled image-token vs text-token"
      + " hidden states, after each layer";

  /**
   * Measures a checkpoint's modality alignment on its training world and writes it to {@code out}
   * as {@code aia align} does; the experiment calls this for each arm.
   *
   * @return the curve written
   */
  static AlignmentCurve align(Path checkpoint, Task parsed, int samples, int k, Path out) throws IOException {
    JsonNode config = EvalCommand.readConfig(checkpoint);
    WorldTrainingData data = ModelLoading.worldData(config).orElseThrow(() -> new IllegalArgumentException(checkpoint
        + " was not trained in a world (" + config.path("data").asText() + "); aia align needs its data"));
    try (Checkpoint.Loaded loaded = Checkpoint.load(checkpoint)) {
      ModelConfig model = loaded.model().config();
      SequenceBuilder builder = new SequenceBuilder(loaded.layout(), loaded.text(), loaded.image());
      AlignmentCurve curve = new AlignmentProfiler(loaded.model(), builder, loaded.manager())
          .profile(data, parsed, samples, k, 32);
      Map<String, Object> source = new LinkedHashMap<>();
      source.put("checkpoint", checkpoint.toAbsolutePath().toString());
      source.put("backend", "djl");
      source.put("step", config.path("step").asLong());
      source.put("data", data.describe());
      source.put("fork", model.fork());
      source.put("branch", model.forked() ? parsed.shortName() : "shared");
      source.put("aia", ModelLoading.training(config).path("aia").asBoolean());
      source.put("metric", METRIC);
      AlignmentFile.write(out, curve, source);
      return curve;
    }
  }
}
