package org.aia4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.aia4j.api.interaction.InteractionRoles;
import org.aia4j.api.model.InteractionProfile;
import org.aia4j.api.model.ModelProvider;
import org.aia4j.api.model.Task;
import org.aia4j.api.model.UnifiedModel;
import org.aia4j.evaluation.data.WorldTrainingData;
import org.aia4j.inference.checkpoint.TextModel;
import org.aia4j.inference.decode.TextEngine;
import org.aia4j.inference.profile.ExplicitSequence;
import org.aia4j.inference.profile.ProfileFile;
import org.aia4j.inference.profile.ProfileSamples;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aia profile}: a checkpoint's per-layer interaction curve for one task. */
@Command(name = "profile", mixinStandardHelpOptions = true,
    description = "Measure a checkpoint's per-layer interaction mass I_l (mean and spread over samples) for one task.")
final class ProfileCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Inject
  ModelLoading loading;

  @Option(names = "--checkpoint", required = true, description = "A checkpoint directory (aia train --out), or an aia export with --backend onnx.")
  Path checkpoint;

  @Option(names = "--task", description = "und (answer tokens -> image) or gen (image tokens -> prompt); with "
      + "--sequences, the label the profile file records (default there: und).")
  String task;

  @Option(names = "--sequences", description = "A JSON-lines file of explicit sequences, one {\"ids\": [...], "
      + "\"queries\": [positions], \"keys\": [positions]} per line, fed verbatim: I_l over those instead of "
      + "world samples; works on any checkpoint, imported model or Hugging Face directory.")
  Path sequences;

  @Option(names = "--data", description = "For an imported model: data files whose samples are laid out in the model's"
      + " recorded image layout (pre-tokenized .jsonl rows carrying image codes, as aia train --data reads them);"
      + " repeat for several. I_l over the first --samples of the task's samples.")
  List<Path> data = new java.util.ArrayList<>();

  @Option(names = "--samples", defaultValue = "256", description = "Samples to average over (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--out", required = true, description = "The profile JSON to write.")
  Path out;

  @Mixin
  QuerySetOptions sets = new QuerySetOptions();

  @Mixin
  BackendOptions engine = new BackendOptions("djl");

  @Override
  public Integer call() throws Exception {
    if (sequences != null) {
      return profileSequences();
    }
    if (task == null) {
      throw new IllegalArgumentException("--task is required: und or gen (or give --sequences FILE)");
    }
    Task parsed = Task.parse(task);
    if (samples < 1) {
      throw new IllegalArgumentException("--samples must be >= 1, got " + samples);
    }
    if (TextModel.isTextOnly(checkpoint)) {
      if (data.isEmpty()) {
        throw new IllegalArgumentException(checkpoint + " is an imported model: profile it on --data files laid out in"
            + " its image layout, or on explicit --sequences");
      }
      return profileData(parsed);
    }
    InteractionRoles roles = sets.over(EvalCommand.curvesOf(checkpoint)).toRoles(parsed);
    InteractionProfile profile = profile(loading, checkpoint, roles, samples, engine, out);
    JsonNode config = EvalCommand.readConfig(checkpoint);
    int layers = config.path("model").path("layers").asInt();
    int fork = config.path("model").path("fork").asInt(layers);
    PrintWriter console = spec.commandLine().getOut();
    console.printf("I_l (%s, %d samples, %s%s) of %s:%n", parsed.shortName(), profile.samples(),
        engine.backend(), fork < layers ? ", " + parsed.shortName() + " branch after layer " + fork : "",
        checkpoint);
    for (int l = 0; l < profile.layers(); l++) {
      console.printf("  layer %2d  %.3f +- %.3f%n", l, profile.mean().get(l), profile.std().get(l));
    }
    console.printf("Wrote %s%n", out);
    console.flush();
    return 0;
  }

  /** I_l of an imported model over data files laid out in its recorded image layout. */
  private int profileData(Task parsed) throws IOException {
    TextModel model = TextModel.open(checkpoint);
    LaidOutSamples laidOut = LaidOutSamples.read(checkpoint, model, data, parsed, samples);
    InteractionRoles roles = sets.over(EvalCommand.curvesOf(checkpoint)).toRoles(parsed);
    List<ExplicitSequence> rows = laidOut.sequences().stream().map(s -> ExplicitSequence.of(s, roles)).toList();
    Map<String, Object> source = new LinkedHashMap<>();
    source.put("data", laidOut.data());
    source.put("layout", laidOut.layout());
    source.put("statistic", parsed == Task.GENERATION
        ? "mass image codes put on the prompt (BOS " + (roles.bosAsText() ? "counted" : "not counted") + " as text)"
        : "mass " + roles.answerQueries().label() + " put on the image");
    source.put("bos_as_text", roles.bosAsText());
    source.put("answer_queries", roles.answerQueries().label());
    return writeExplicit(parsed, model, rows, source, laidOut.data());
  }

  private int profileSequences() throws IOException {
    Task parsed = Task.parse(task == null ? "und" : task);
    TextModel model = TextModel.open(checkpoint);
    List<ExplicitSequence> rows = ExplicitSequence.read(sequences, model.model().vocabSize(), model.model().maxLength());
    Map<String, Object> source = new LinkedHashMap<>();
    source.put("sequences", sequences.toAbsolutePath().toString());
    source.put("statistic", "mass the listed queries put on the listed keys");
    return writeExplicit(parsed, model, rows, source, "explicit sequences");
  }

  /** Runs the engine over {@code rows}, writes the profile with {@code details} in its source, prints it. */
  private int writeExplicit(Task parsed, TextModel model, List<ExplicitSequence> rows, Map<String, Object> details,
      String what) throws IOException {
    List<double[]> perSequence;
    String backend;
    try (TextEngine decoder = TextEngines.open(model, engine.backend())) {
      perSequence = decoder.interaction(rows);
      backend = decoder.engine();
    }
    InteractionProfile profile = ProfileSamples.summarize(parsed, perSequence, model.model().layers());
    Map<String, Object> source = new LinkedHashMap<>();
    source.put("checkpoint", checkpoint.toAbsolutePath().toString());
    source.put("model", model.source());
    source.put("backend", backend);
    source.putAll(details);
    source.put("per_sequence", perSequence);
    ProfileFile.write(out, profile, source);
    PrintWriter console = spec.commandLine().getOut();
    console.printf("I_l (%s, %d samples of %s, %s) of %s:%n", parsed.shortName(), profile.samples(), what, backend,
        checkpoint);
    for (int l = 0; l < profile.layers(); l++) {
      console.printf("  layer %2d  %.3f +- %.3f%n", l, profile.mean().get(l), profile.std().get(l));
    }
    console.printf("Wrote %s%n", out);
    console.flush();
    return 0;
  }

  /**
   * Profiles {@code checkpoint} with {@code roles} on its world's data and writes the profile
   * with its provenance to {@code out}.
   *
   * @return the profile written
   */
  static InteractionProfile profile(ModelLoading loading, Path checkpoint, InteractionRoles roles, int samples,
      BackendOptions engine, Path out) throws IOException {
    Task parsed = roles.task();
    ModelProvider provider = loading.provider(engine.backend());
    JsonNode config = EvalCommand.readConfig(checkpoint);
    WorldTrainingData data = ModelLoading.worldData(config).orElseThrow(() -> new IllegalArgumentException(checkpoint
        + " was not trained in a world (" + config.path("data").asText() + "); aia profile needs its data"));
    try (UnifiedModel model = provider.load(checkpoint, ModelLoading.options(engine.device()))) {
      InteractionProfile profile = model.interactions(roles, data, samples).orElseThrow(() ->
          new IllegalArgumentException("The " + engine.backend() + " backend's models cannot be profiled"));
      JsonNode training = ModelLoading.training(config);
      Map<String, Object> source = new LinkedHashMap<>();
      source.put("checkpoint", checkpoint.toAbsolutePath().toString());
      source.put("backend", model.info().backend());
      source.put("step", config.path("step").asLong());
      source.put("data", data.describe());
      // A forked (UniFork) model is measured through the task's own branch.
      int layers = config.path("model").path("layers").asInt();
      int fork = config.path("model").path("fork").asInt(layers);
      source.put("fork", fork);
      source.put("branch", fork < layers ? parsed.shortName() : "shared");
      // What aia report needs to draw the run's targets beside the curve without the checkpoint.
      source.put("aia", training.path("aia").asBoolean());
      source.put("schedule", training.path("schedule"));
      source.put("statistic", parsed == Task.GENERATION
          ? "mass image tokens put on the prompt (BOS " + (roles.bosAsText() ? "counted" : "not counted") + " as text)"
          : "mass " + roles.answerQueries().label() + " put on the image");
      source.put("bos_as_text", roles.bosAsText());
      source.put("answer_queries", roles.answerQueries().label());
      ProfileFile.write(out, profile, source);
      return profile;
    }
  }
}
