package org.aia4j.djl.checkpoint;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aia4j.api.Registries;
import org.aia4j.api.checkpoint.Manifest;
import org.aia4j.api.data.TrainingData;
import org.aia4j.api.io.AtomicDirectory;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.api.tokenizer.TextTokenizer;
import org.aia4j.djl.io.ModelWeights;
import org.aia4j.djl.model.UnifiedTransformer;
import org.aia4j.djl.train.StepRecord;
import org.aia4j.djl.train.TrainingConfig;
import org.aia4j.djl.train.TrainingTokens;
import org.aia4j.djl.train.UnifiedTrainer;
import org.aia4j.inference.checkpoint.CheckpointFiles;
import org.aia4j.inference.checkpoint.ImportedTokenizers;
import org.aia4j.inference.checkpoint.TextModel;
import org.aia4j.inference.io.SafeTensors;
import org.aia4j.inference.model.ModelConfig;
import org.aia4j.inference.sequence.Prompts;
import org.aia4j.inference.sequence.TokenLayout;

/**
 * Writes and reads aia4j checkpoint directories.
 *
 * <p>A checkpoint is written into a staging directory and renamed into place, so an interrupted
 * save never leaves a half-written checkpoint where a good one was; loading verifies
 * {@code MANIFEST.sha256} first and refuses a corrupted, truncated or foreign directory with a
 * message that names the file at fault.
 */
public final class Checkpoint {
  /** The {@code format} field of {@code config.json}. */
  public static final String FORMAT = CheckpointFiles.FORMAT;
  /** The {@code version} this code writes and reads. */
  public static final int VERSION = CheckpointFiles.VERSION;

  public static final String CONFIG = CheckpointFiles.CONFIG;
  public static final String MODEL = CheckpointFiles.MODEL;
  public static final String OPTIMIZER = "optimizer.safetensors";
  public static final String TOKENIZERS = CheckpointFiles.TOKENIZERS;
  public static final String METRICS = "metrics.jsonl";

  static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private Checkpoint() {}

  /**
   * Saves {@code trainer}'s state as the checkpoint {@code dir}, replacing an older one there.
   *
   * @param earlierMetrics the {@code metrics.jsonl} lines of the steps before a resume
   */
  public static void save(Path dir, UnifiedTrainer trainer, List<String> earlierMetrics) throws IOException {
    AtomicDirectory.write(dir, true, staging -> {
      Files.writeString(staging.resolve(CONFIG), JSON.writeValueAsString(configJson(trainer)) + "\n",
          StandardCharsets.UTF_8);
      ModelWeights.save(trainer.model(), staging.resolve(MODEL), Map.of("step", Long.toString(trainer.step())));
      Map<String, SafeTensors.Tensor> state = new LinkedHashMap<>();
      trainer.optimizer().state().forEach((name, values) ->
          state.put(name, SafeTensors.Tensor.ofFloats(new long[] {values.length}, values)));
      SafeTensors.write(staging.resolve(OPTIMIZER), state, Map.of("optimizer", "adamw"));
      Path tokenizers = Files.createDirectories(staging.resolve(TOKENIZERS));
      trainer.tokens().save(tokenizers);
      List<String> lines = new ArrayList<>(earlierMetrics);
      for (StepRecord record : trainer.history()) {
        lines.add(new ObjectMapper().writeValueAsString(record));
      }
      Files.write(staging.resolve(METRICS), lines, StandardCharsets.UTF_8);
      Manifest.write(staging);
    });
  }

  private static ObjectNode configJson(UnifiedTrainer trainer) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("version", VERSION);
    root.put("step", trainer.step());
    root.set("model", JSON.valueToTree(trainer.model().config()));
    trainer.tokens().describe(root, JSON);
    root.set("training", JSON.valueToTree(trainer.config()));
    root.put("data", trainer.data().describe());
    if (trainer.initializedFrom() != null) {
      root.put("initialized_from", trainer.initializedFrom());
    }
    if (trainer.importedFrom() != null) {
      root.set("imported_from", trainer.importedFrom());
    }
    ObjectNode provenance = root.putObject("provenance");
    String version = Checkpoint.class.getPackage().getImplementationVersion();
    provenance.put("aia4j", version == null ? "development" : version);
    provenance.put("djl", ai.djl.engine.Engine.getDjlVersion());
    provenance.put("engine", "PyTorch " + ai.djl.engine.Engine.getEngine("PyTorch").getVersion());
    provenance.put("java", System.getProperty("java.version"));
    provenance.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    provenance.put("threads", Runtime.getRuntime().availableProcessors());
    return root;
  }

  /**
   * Verifies {@code dir} and reads its {@code config.json}.
   *
   * @throws IOException naming what is wrong: not a checkpoint, another format or version, a
   *     corrupted file
   */
  public static CheckpointInfo read(Path dir) throws IOException {
    JsonNode root = CheckpointFiles.readConfig(dir, FORMAT, VERSION, "aia train", List.of(MODEL));
    Path configFile = dir.resolve(CONFIG);
    ModelConfig model = CheckpointFiles.modelSection(dir, root);
    if (!root.path("training").isObject()) {
      throw new IOException(configFile + ": the training section is " + (root.has("training")
          ? "not an object" : "missing") + "; it records the run's preset, seeds and steps");
    }
    try {
      return new CheckpointInfo(
          root.path("step").asLong(),
          model,
          JSON.treeToValue(root.get("training"), TrainingConfig.class),
          root.path("tokenizers").path("image").asText(),
          root.path("tokenizers").path("text").asText(),
          root.path("data").asText(),
          root.path("provenance"),
          root);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new IOException(configFile + ": invalid training section: " + e.getMessage(), e);
    }
  }

  /** A checkpoint's model and tokenizers, ready for inference; closing frees the parameters. */
  public record Loaded(CheckpointInfo info, UnifiedTransformer model, TokenLayout layout, TextTokenizer text,
      ImageTokenizer image, NDManager manager) implements AutoCloseable {
    @Override
    public void close() {
      manager.close();
    }
  }

  /** Loads a checkpoint's model and tokenizers for inference. */
  public static Loaded load(Path dir) throws IOException {
    CheckpointInfo info = read(dir);
    Prompts tokenizers = CheckpointFiles.loadTokenizers(dir, info.json(), info.model().vocabSize());
    TokenLayout layout = tokenizers.layout();
    TextTokenizer text = tokenizers.text();
    ImageTokenizer image = tokenizers.image();
    // The weights are checked against the config (count, names, shapes, finite values) before
    // the model is built: a config claiming a million layers must not allocate them first.
    SafeTensors.Contents weights = CheckpointFiles.checkedWeights(dir, info.model());
    NDManager manager = NDManager.newBaseManager("PyTorch");
    try {
      UnifiedTransformer model = new UnifiedTransformer(info.model());
      ModelWeights.load(model, manager, dir.resolve(MODEL), weights);
      return new Loaded(info, model, layout, text, image, manager);
    } catch (IOException | RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /**
   * Re-creates the trainer of a checkpoint to continue its run: same config (with
   * {@code steps} as the new budget if given), parameters and optimizer state.
   *
   * @param data the same data source the run used (checked against the recorded description)
   */
  public static UnifiedTrainer resume(Path dir, TrainingData data, Integer steps) throws IOException {
    CheckpointInfo info = read(dir);
    Manifest.read(dir).requireListed(dir, OPTIMIZER);
    SafeTensors.Contents weights = CheckpointFiles.checkedWeights(dir, info.model());
    if (!info.data().equals(data.describe())) {
      throw new IOException(dir + " was trained on " + info.data() + ", not on " + data.describe()
          + "; resume with the same data");
    }
    TrainingConfig config = steps == null ? info.training() : info.training().withSteps(steps);
    UnifiedTrainer trainer;
    if (info.json().has("layout")) {
      ImageTokenizer image = Registries.imageTokenizers().get(info.imageTokenizer()).load(dir.resolve(TOKENIZERS));
      TextTokenizer text = Registries.textTokenizers().get(info.textTokenizer()).load(dir.resolve(TOKENIZERS));
      trainer = new UnifiedTrainer(config, data, text, image);
    } else { // a fine-tune of an imported model: its own vocabulary and recorded architecture
      trainer = new UnifiedTrainer(config, data, info.model(), importedTokens(dir, info.model()),
          UnifiedTrainer.loss(config));
      trainer.setImportedFrom(info.json().get("imported_from"));
    }
    try {
      ModelWeights.load(trainer.model(), trainer.manager(), dir.resolve(MODEL), weights);
      SafeTensors.Contents optimizer = SafeTensors.read(dir.resolve(OPTIMIZER));
      Map<String, float[]> state = new LinkedHashMap<>();
      optimizer.tensors().forEach((name, tensor) -> state.put(name, tensor.toFloats()));
      trainer.optimizer().restore(state);
      trainer.setInitializedFrom(info.json().path("initialized_from").asText(null));
      if (trainer.step() != info.step()) {
        throw new IOException(dir + ": optimizer is at step " + trainer.step() + " but config.json says " + info.step());
      }
      return trainer;
    } catch (IllegalArgumentException e) {
      trainer.close();
      throw new IOException(dir.resolve(OPTIMIZER) + ": " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      trainer.close();
      throw e;
    }
  }

  /**
   * Starts a new run from a trained checkpoint's parameters (fine-tuning): the base's tokenizers
   * and weights, a fresh optimizer and step counter, and {@code config} (which must name the same
   * model preset). The base is recorded in the new run's provenance. A forked {@code config} may
   * start from a fully shared base: its generation branch starts as a copy of the base's deep
   * layers and final norm (UniFork).
   */
  public static UnifiedTrainer fineTune(Path base, TrainingConfig config, TrainingData data) throws IOException {
    if (TextModel.isTextOnly(base)) {
      return fineTuneImported(base, config, data);
    }
    CheckpointInfo info = read(base);
    CheckpointFiles.checkedWeights(base, info.model()); // the base's own weights, whole and finite
    if (!info.training().preset().equals(config.preset())) {
      throw new IOException(base + " is a '" + info.training().preset() + "' model; fine-tune it with --preset "
          + info.training().preset() + ", not " + config.preset());
    }
    ImageTokenizer image = Registries.imageTokenizers().get(info.imageTokenizer()).load(base.resolve(TOKENIZERS));
    TextTokenizer text = Registries.textTokenizers().get(info.textTokenizer()).load(base.resolve(TOKENIZERS));
    UnifiedTrainer trainer = new UnifiedTrainer(config, data, text, image);
    try {
      ModelWeights.load(trainer.model(), trainer.manager(), base.resolve(MODEL), true);
      trainer.setInitializedFrom(base.toAbsolutePath() + " (step " + info.step() + ", model.safetensors sha256 "
          + Manifest.read(base).digests().get(MODEL) + ")");
      return trainer;
    } catch (IOException | RuntimeException e) {
      trainer.close();
      throw e;
    }
  }

  /**
   * Starts a fine-tune of an imported model (or of a fine-tune of one): its architecture, weights
   * and tokenizer, its samples laid out in the image layout recorded at import. The config's preset
   * gives only the run's batch sizes, schedule and steps.
   *
   * @throws IllegalArgumentException if the import records no image layout, or a fork is asked for
   */
  private static UnifiedTrainer fineTuneImported(Path base, TrainingConfig config, TrainingData data)
      throws IOException {
    if (config.fork() != null) {
      throw new IllegalArgumentException("--fork on an imported model is not supported: fine-tune it fully shared");
    }
    TextModel imported = TextModel.open(base); // weights checked: present, shaped, finite
    ModelConfig model = imported.model().withSeed(config.seed());
    UnifiedTrainer trainer = new UnifiedTrainer(config, data, model, importedTokens(base, model),
        UnifiedTrainer.loss(config));
    try {
      ModelWeights.load(trainer.model(), trainer.manager(), base, imported.weights());
      JsonNode root = CheckpointFiles.readObject(base.resolve(CONFIG));
      trainer.setImportedFrom(root.get("imported_from"));
      trainer.setInitializedFrom(base.toAbsolutePath() + " (" + imported.source() + ", step " + root.path("step").asLong()
          + ", model.safetensors sha256 " + Manifest.read(base).digests().get(MODEL) + ")");
      return trainer;
    } catch (IOException | RuntimeException e) {
      trainer.close();
      throw e;
    }
  }

  /** An imported model's vocabulary as recorded in {@code dir}. */
  private static TrainingTokens importedTokens(Path dir, ModelConfig model) throws IOException {
    ImportedTokenizers tokenizers = ImportedTokenizers.read(dir, model.vocabSize());
    return TrainingTokens.imported(tokenizers.sequences(dir), tokenizers.text(), tokenizers.image().orElse(null),
        model.vocabSize());
  }

  /** The {@code metrics.jsonl} lines of a checkpoint, to carry them over on resume. */
  public static List<String> metrics(Path dir) throws IOException {
    Path file = dir.resolve(METRICS);
    return Files.isRegularFile(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
  }
}
