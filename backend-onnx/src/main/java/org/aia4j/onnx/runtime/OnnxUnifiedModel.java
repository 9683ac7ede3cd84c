package org.aia4j.onnx.runtime;

import ai.onnxruntime.OrtEnvironment;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.aia4j.api.checkpoint.Manifest;
import org.aia4j.api.data.TrainingData;
import org.aia4j.api.interaction.InteractionRoles;
import org.aia4j.api.model.InteractionProfile;
import org.aia4j.api.model.ModelInfo;
import org.aia4j.api.model.Task;
import org.aia4j.inference.checkpoint.CheckpointFiles;
import org.aia4j.inference.decode.DecodingModel;
import org.aia4j.inference.model.ModelConfig;
import org.aia4j.inference.sequence.Prompts;
import org.aia4j.inference.sequence.SequenceBuilder;
import org.aia4j.onnx.export.OnnxExport;

/**
 * A unified model served by ONNX Runtime: an {@code aia export} directory, or an aia4j checkpoint
 * exported in memory on load. Decoding, sampling and guidance are {@link DecodingModel}'s, the
 * same code the DJL backend runs, over {@link OnnxDecoding}. A forked (UniFork) model has one
 * session per branch ({@link OnnxExport#files}), and each task decodes through its own. Not
 * thread-safe.
 */
public final class OnnxUnifiedModel extends DecodingModel {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The session serving each task: the same one twice unless the model is forked. */
  private final Map<Task, OnnxSession> sessions;
  private final OnnxSession session;
  private final Path source;
  private final JsonNode config;
  private final boolean exportedOnLoad;
  private final OrtEnvironment env;
  private final OnnxSession.Settings settings;
  private final Map<Task, OnnxSession> profiling = new EnumMap<>(Task.class);

  private OnnxUnifiedModel(OrtEnvironment env, Map<Task, OnnxSession> sessions, Prompts prompts, Path source,
      JsonNode config, boolean exportedOnLoad, OnnxSession.Settings settings) {
    super(prompts, sessions.get(Task.UNDERSTANDING).config().maxLength(),
        task -> new OnnxDecoding(env, sessions.get(task)));
    this.env = env;
    this.settings = settings;
    this.sessions = sessions;
    this.session = sessions.get(Task.UNDERSTANDING);
    this.source = source.toAbsolutePath();
    this.config = config;
    this.exportedOnLoad = exportedOnLoad;
  }

  /** Loads an export or a checkpoint on the CPU with all cores. */
  public static OnnxUnifiedModel load(Path path) throws IOException {
    return load(path, Map.of());
  }

  /**
   * Loads an {@code aia export} directory, or an aia4j checkpoint (exported in memory first).
   *
   * @param options {@code device=cpu|cuda[:N]}, {@code threads=N}
   */
  public static OnnxUnifiedModel load(Path path, Map<String, String> options) throws IOException {
    OnnxSession.Settings settings = OnnxSession.Settings.parse(options);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    if (isExport(path)) {
      JsonNode root = CheckpointFiles.readConfig(path, OnnxExport.FORMAT, OnnxExport.VERSION, "aia export");
      ModelConfig model = CheckpointFiles.modelSection(path, root);
      Map<Task, String> files = verifiedGraphs(path, root, model);
      Prompts prompts = CheckpointFiles.loadTokenizers(path, root, model.vocabSize());
      Map<Task, OnnxSession> sessions = open(files, (task, file) -> {
        Path onnx = path.resolve(file);
        return OnnxSession.open(env, onnx, model, prompts.layout().vocabularySize(), onnx.toString(), settings);
      });
      if (model.forked() && sessions.get(Task.UNDERSTANDING) == sessions.get(Task.GENERATION)) {
        sessions.get(Task.UNDERSTANDING).close();
        throw new IOException(path.resolve(CheckpointFiles.CONFIG) + ": the model is forked (fork " + model.fork()
            + " of " + model.layers() + " layers) but onnx names one graph, not one per branch (onnx.files);"
            + " re-export it with aia export");
      }
      return new OnnxUnifiedModel(env, sessions, prompts, path, root, false, settings);
    }
    CheckpointFiles checkpoint = CheckpointFiles.open(path);
    Prompts prompts = checkpoint.tokenizers();
    Map<Task, OnnxSession> sessions = open(OnnxExport.files(checkpoint.model()), (task, file) -> OnnxSession.open(env,
        OnnxExport.model(checkpoint, false, task).toByteArray(), checkpoint.model(),
        prompts.layout().vocabularySize(), path + (checkpoint.model().forked() ? " (" + file + ")" : "")
            + " (exported in memory)", settings));
    return new OnnxUnifiedModel(env, sessions, prompts, path, checkpoint.config(), true, settings);
  }

  /**
   * The ONNX file of each task of an export, each listed in its manifest (a graph is read only if
   * the manifest vouches for it) and holding finite weights.
   *
   * @throws IOException naming the export's file at fault
   */
  static Map<Task, String> verifiedGraphs(Path path, JsonNode root, ModelConfig model) throws IOException {
    Map<Task, String> files = exportFiles(path, root, model);
    Manifest manifest = Manifest.read(path);
    for (String file : new java.util.TreeSet<>(files.values())) {
      manifest.requireListed(path, file);
      OnnxWeights.requireFinite(path.resolve(file));
    }
    return files;
  }

  /**
   * The ONNX file of each task, as the export's {@code config.json} names them: {@code onnx.files}
   * ({@code und}, {@code gen}) for a forked model, else {@code onnx.file} for both.
   */
  private static Map<Task, String> exportFiles(Path path, JsonNode root, ModelConfig model) throws IOException {
    JsonNode onnx = root.path("onnx");
    Map<Task, String> files = new EnumMap<>(Task.class);
    if (onnx.path("files").isObject()) {
      for (Task task : Task.values()) {
        String file = onnx.path("files").path(task.shortName()).asText("");
        if (file.isEmpty()) {
          throw new IOException(path.resolve(CheckpointFiles.CONFIG) + ": onnx.files names no '" + task.shortName()
              + "' graph");
        }
        files.put(task, file);
      }
    } else {
      String file = onnx.path("file").asText(OnnxExport.MODEL);
      for (Task task : Task.values()) {
        files.put(task, file);
      }
    }
    return files;
  }

  /** Opens a session for each task's ONNX file (one when both tasks name the same file). */
  private static Map<Task, OnnxSession> open(Map<Task, String> taskFiles, SessionOpener opener) throws IOException {
    Map<String, OnnxSession> byFile = new LinkedHashMap<>();
    Map<Task, OnnxSession> sessions = new EnumMap<>(Task.class);
    try {
      for (Map.Entry<Task, String> file : taskFiles.entrySet()) {
        OnnxSession session = byFile.get(file.getValue());
        if (session == null) {
          session = opener.open(file.getKey(), file.getValue());
          byFile.put(file.getValue(), session);
        }
        sessions.put(file.getKey(), session);
      }
      return sessions;
    } catch (IOException | RuntimeException e) {
      byFile.values().forEach(OnnxSession::close);
      throw e;
    }
  }

  @FunctionalInterface
  private interface SessionOpener {
    OnnxSession open(Task task, String file) throws IOException;
  }

  /** @return true if {@code path} holds an {@code aia export} directory ({@code config.json} format {@code aia4j-onnx}) */
  static boolean isExport(Path path) {
    return hasFormat(path, OnnxExport.FORMAT);
  }

  static boolean hasFormat(Path path, String format) {
    Path config = path.resolve(CheckpointFiles.CONFIG);
    if (!Files.isDirectory(path) || !Files.isRegularFile(config)) {
      return false;
    }
    try {
      return format.equals(JSON.readTree(config.toFile()).path("format").asText());
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public String name() {
    Path file = source.getFileName();
    return file == null ? source.toString() : file.toString();
  }

  /**
   * Profiles on {@code data}, from the {@code attentions.{i}}
   * outputs: those of the export when it was made with {@code aia export --attentions}, else of
   * an export made in memory from the checkpoint (loaded directly, or the export's source
   * checkpoint when it is still there and unchanged).
   *
   * @throws IllegalStateException when no model with attention outputs can be had
   */
  @Override
  public Optional<InteractionProfile> interactions(Task task, TrainingData data, int samples) {
    return interactions(InteractionRoles.of(task), data, samples);
  }

  /** {@link #interactions(Task, TrainingData, int)} with explicit query and key sets. */
  @Override
  public Optional<InteractionProfile> interactions(InteractionRoles roles, TrainingData data, int samples) {
    checkOpen();
    if (data == null) {
      return Optional.empty();
    }
    SequenceBuilder builder = new SequenceBuilder(prompts().layout(), prompts().text(), prompts().image());
    return Optional.of(new OnnxInteractionProfiler(env, profilingSession(roles.task()), builder)
        .profile(data, roles, samples, 32));
  }

  /** The session with attention outputs that runs {@code task}'s branch. */
  private OnnxSession profilingSession(Task task) {
    OnnxSession serving = sessions.get(task);
    if (serving.hasAttentions()) {
      return serving;
    }
    if (!profiling.containsKey(task)) {
      Path checkpoint = exportedOnLoad ? source : Path.of(config.path("source").path("checkpoint").asText("."));
      try {
        CheckpointFiles files = CheckpointFiles.open(checkpoint);
        String expected = config.path("source").path("model_sha256").asText(null);
        if (!exportedOnLoad && expected != null
            && !expected.equals(Manifest.read(checkpoint).digests().get(CheckpointFiles.MODEL))) {
          throw new IOException(checkpoint + " has changed since the export");
        }
        profiling.put(task, OnnxSession.open(env, OnnxExport.model(files, true, task).toByteArray(), files.model(),
            prompts().layout().vocabularySize(), checkpoint + " (with attentions, exported in memory)", settings));
      } catch (IOException e) {
        throw new IllegalStateException(source + " has no attention outputs and its source checkpoint cannot be "
            + "used (" + e.getMessage() + "); re-export with aia export --attentions to profile on onnx", e);
      }
    }
    return profiling.get(task);
  }

  @Override
  public ModelInfo info() {
    ModelConfig model = session.config();
    Map<String, String> provenance = new LinkedHashMap<>();
    provenance.put(exportedOnLoad ? "checkpoint" : "export", source.toString());
    provenance.put("step", config.path("step").asText());
    provenance.put("model", config.path("model").toString());
    JsonNode training = exportedOnLoad ? config.path("training") : config.path("source").path("training");
    provenance.put("seed", training.path("seed").asText());
    provenance.put("model_seed", Long.toString(model.seed()));
    provenance.put("preset", training.path("preset").asText());
    provenance.put("fork", Integer.toString(model.fork()));
    provenance.put("training", training.toString());
    provenance.put("image_tokenizer", prompts().image().toString());
    provenance.put("text_tokenizer", config.path("tokenizers").path("text").asText());
    if (!exportedOnLoad) {
      provenance.put("source_checkpoint", config.path("source").path("checkpoint").asText());
      provenance.put("source_model_sha256", config.path("source").path("model_sha256").asText());
    }
    provenance.put("onnxruntime", OnnxBackendProvider.runtimeVersion());
    return new ModelInfo(name(), "onnx", model.layers(), provenance);
  }

  OnnxSession session() {
    return session;
  }

  /** @return the session that serves {@code task} */
  OnnxSession session(Task task) {
    return sessions.get(task);
  }

  @Override
  protected void release() {
    new java.util.LinkedHashSet<>(sessions.values()).forEach(OnnxSession::close);
    profiling.values().forEach(OnnxSession::close);
  }
}
