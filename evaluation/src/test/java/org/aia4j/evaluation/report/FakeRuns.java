package org.aia4j.evaluation.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.aia4j.api.model.ModelInfo;
import org.aia4j.evaluation.geneval.GenEvalLayout;
import org.aia4j.evaluation.geneval.GenEvalPrompt;
import org.aia4j.evaluation.geneval.GenEvalSuite;
import org.aia4j.evaluation.run.EvalSettings;
import org.aia4j.evaluation.run.EvalSummary;
import org.aia4j.evaluation.world.Scene;
import org.aia4j.evaluation.world.SceneObject;
import org.aia4j.evaluation.world.SceneRenderer;
import org.aia4j.evaluation.world.Shape;
import org.aia4j.evaluation.world.Slot;
import org.aia4j.evaluation.world.WorldColor;
import org.aia4j.evaluation.world.WorldSpec;
import org.aia4j.loss.StageSchedule;

/**
 * Builds eval run directories in exactly the shape {@code aia eval} writes (summary.json through
 * {@link EvalSummary#write},
 * geneval/images in GenEval's layout, geneval/results.jsonl, mmbench/summary.json) plus the
 * checkpoint they name (config.json, metrics.jsonl), for report tests.
 */
final class FakeRuns {
  static final ObjectMapper JSON = new ObjectMapper();
  static final int LAYERS = 4;
  static final int STEPS = 60;
  static final int PROMPTS = 3;
  static final int SAMPLES = 2;
  static final String[] TAGS = {"single_object", "two_object", "counting", "colors", "position", "color_attr"};
  static final String[] CATEGORIES = {"counting", "existence", "spatial_relationship"};

  /** The paper's schedule at 4 layers (midpoint rule): understanding and generation targets. */
  static final double[] UND_TARGETS = {0.1, 0.15, 0.3, 0.3};
  static final double[] GEN_TARGETS = {0.4, 0.4, 0.4, 0.2};

  private FakeRuns() {}

  /**
   * What differs between two fake runs.
   *
   * @param name the run directory's name
   * @param aia whether the run trained with AIA
   * @param seed the training seed
   * @param geneval GenEval overall (tags are {@code geneval + 0.01 * i})
   * @param circular MMBench circular accuracy
   * @param und understanding I_l per layer
   * @param gen generation I_l per layer
   * @param finalLoss the token loss the curves decay to
   */
  record Spec(String name, boolean aia, long seed, double geneval, double circular, double[] und, double[] gen,
      double finalLoss) {}

  static Spec withoutAia() {
    return new Spec("run-noaia", false, 7, 0.25, 0.15, new double[] {0.55, 0.58, 0.76, 0.74},
        new double[] {0.41, 0.20, 0.19, 0.22}, 0.9);
  }

  static Spec withAia() {
    return new Spec("run-aia", true, 7, 0.31, 0.18, UND_TARGETS.clone(), GEN_TARGETS.clone(), 0.8);
  }

  /** Writes the run and its checkpoint under {@code root}; returns the run directory. */
  static Path write(Path root, Spec spec) throws IOException {
    Path checkpoint = Files.createDirectories(root.resolve("checkpoints").resolve(spec.name()));
    ObjectNode config = config(spec);
    Files.writeString(checkpoint.resolve("config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
    Files.write(checkpoint.resolve("metrics.jsonl"), metrics(spec));

    Path run = Files.createDirectories(root.resolve(spec.name()));
    Map<String, Double> tags = new LinkedHashMap<>();
    for (int i = 0; i < TAGS.length; i++) {
      tags.put(TAGS[i], spec.geneval() + 0.01 * i);
    }
    ObjectNode mmbench = JSON.createObjectNode();
    mmbench.put("overall", spec.circular()).put("vanilla", spec.circular() + 0.3);
    ObjectNode categories = mmbench.putObject("categories");
    Map<String, Double> parts = new LinkedHashMap<>();
    for (int i = 0; i < CATEGORIES.length; i++) {
      categories.put(CATEGORIES[i], spec.circular() + 0.1 * i);
      parts.put(CATEGORIES[i], spec.circular() + 0.1 * i);
    }
    Map<String, EvalSummary.SuiteResult> suites = new LinkedHashMap<>();
    suites.put("geneval", new EvalSummary.SuiteResult(spec.geneval(), tags, JSON.createObjectNode()));
    suites.put("mmbench", new EvalSummary.SuiteResult(spec.circular(), parts,
        JSON.createObjectNode().put("vanilla", spec.circular() + 0.3)));
    Map<String, EvalSummary.Curve> interaction = new LinkedHashMap<>();
    interaction.put("und", curve(spec.und()));
    interaction.put("gen", curve(spec.gen()));
    new EvalSummary(EvalSummary.FORMAT, EvalSummary.VERSION,
        new EvalSummary.CheckpointSource(checkpoint.toAbsolutePath().toString(), (long) STEPS, config),
        new ModelInfo(spec.name(), "djl", LAYERS, Map.of()),
        new EvalSettings(PROMPTS, SAMPLES, 2.0, 1.0, 0.0, 0, 1, 16, "djl", "cpu", null, null, 128), suites, Map.of(),
        interaction, EvalSummary.Versions.current(), Map.of("total", 1.0)).write(run);
    Files.createDirectories(run.resolve("mmbench"));
    Files.writeString(run.resolve("mmbench/summary.json"), JSON.writeValueAsString(mmbench));
    writeImages(run.resolve("geneval"));
    return run;
  }

  private static ObjectNode config(Spec spec) {
    ObjectNode config = JSON.createObjectNode();
    config.put("format", "aia4j-checkpoint").put("version", 1).put("step", STEPS);
    config.putObject("model").put("layers", LAYERS).put("width", 128).put("heads", 4).put("mlpWidth", 512)
        .put("maxLength", 96).put("vocabSize", 400).put("seed", spec.seed());
    ObjectNode training = config.putObject("training");
    training.put("preset", "tiny").put("tasks", "both").put("aia", spec.aia());
    training.set("schedule", StageSchedule.paperDefault().toJson());
    training.put("steps", STEPS).put("seed", spec.seed()).put("batchSize", 32);
    config.put("data", "world(seed=" + spec.seed() + ")");
    return config;
  }

  private static EvalSummary.Curve curve(double[] mean) {
    List<Double> means = new ArrayList<>();
    List<Double> stds = new ArrayList<>();
    for (double v : mean) {
      means.add(v);
      stds.add(0.05);
    }
    return new EvalSummary.Curve(means, stds, 128);
  }

  /** StepRecord lines: losses decaying to {@code finalLoss} with noise, I_l drifting to the run's curve. */
  static List<String> metrics(Spec spec) throws IOException {
    Random random = new Random(spec.seed() + spec.name().hashCode());
    List<String> lines = new ArrayList<>();
    for (int step = 1; step <= STEPS; step++) {
      ObjectNode row = JSON.createObjectNode();
      double decay = Math.exp(-step / 8.0);
      row.put("step", step).put("lr", 1.5e-3);
      row.putObject("ntp").put("und", spec.finalLoss() + 2 * decay + 0.05 * random.nextGaussian())
          .put("gen", spec.finalLoss() + 3 + 3 * decay + 0.05 * random.nextGaussian());
      row.putObject("aia").put("und", (spec.aia() ? 0.001 : 0.08) + 0.05 * decay)
          .put("gen", (spec.aia() ? 0.001 : 0.01) + 0.02 * decay);
      ObjectNode interaction = row.putObject("interaction");
      ArrayNode und = interaction.putArray("und");
      ArrayNode gen = interaction.putArray("gen");
      for (int l = 0; l < LAYERS; l++) {
        und.add(spec.und()[l]);
        gen.add(spec.gen()[l]);
      }
      row.put("loss", 5.0).put("grad_norm", 1.0).put("tokens", 3000).put("seconds", 0.7).put("tokens_per_s", 4285.7);
      lines.add(JSON.writeValueAsString(row));
    }
    return lines;
  }

  /** Three prompts, two samples each, drawn by the world's renderer; sample 0 correct, sample 1 not. */
  private static void writeImages(Path geneval) throws IOException {
    WorldSpec world = WorldSpec.standard();
    SceneRenderer renderer = new SceneRenderer(world);
    List<GenEvalPrompt> prompts = List.of(GenEvalSuite.singleObject(Shape.CIRCLE),
        GenEvalSuite.colors(Shape.SQUARE, WorldColor.RED), GenEvalSuite.twoObject(Shape.TRIANGLE, Shape.CROSS));
    Path images = geneval.resolve("images");
    List<String> results = new ArrayList<>();
    for (int p = 0; p < prompts.size(); p++) {
      List<BufferedImage> samples = new ArrayList<>();
      for (int s = 0; s < SAMPLES; s++) {
        Shape shape = Shape.values()[(p + s) % Shape.values().length];
        WorldColor color = WorldColor.values()[(3 * p + s) % WorldColor.values().length];
        samples.add(renderer.render(Scene.of(new SceneObject(shape, color, new Slot(p, s + 1)))));
        ObjectNode result = JSON.createObjectNode();
        result.put("filename", GenEvalLayout.samplePath(images, p, s).toString());
        result.put("tag", prompts.get(p).tag()).put("prompt", prompts.get(p).prompt()).put("correct", s == 0)
            .put("reason", s == 0 ? "" : "expected something else").put("metadata", prompts.get(p).toMetadataLine());
        results.add(JSON.writeValueAsString(result));
      }
      GenEvalLayout.writePrompt(images, p, prompts.get(p), samples);
    }
    Files.write(geneval.resolve("results.jsonl"), results);
  }

  static String fmt(double value) {
    return String.format(Locale.ROOT, "%.3f", value);
  }
}
