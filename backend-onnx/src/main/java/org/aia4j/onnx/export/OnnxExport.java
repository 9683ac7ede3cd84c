package org.aia4j.onnx.export;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.aia4j.api.checkpoint.Manifest;
import org.aia4j.api.io.AtomicDirectory;
import org.aia4j.api.model.Task;
import org.aia4j.inference.checkpoint.CheckpointFiles;
import org.aia4j.inference.checkpoint.ImportedTokenizers;
import org.aia4j.inference.checkpoint.TextModel;
import org.aia4j.inference.io.SafeTensors;
import org.aia4j.inference.model.ModelConfig;

/**
 * Exports an aia4j checkpoint to an ONNX directory that {@code org.aia4j.onnx.runtime} serves:
 *
 * <pre>
 *   model.onnx          the transformer with a KV cache ({@link TransformerExporter}); a forked
 *                       (UniFork) model has one graph per branch instead: model-und.onnx and
 *                       model-gen.onnx, named in config.json's "onnx": {"files": {"und", "gen"}}
 *   config.json         {"format": "aia4j-onnx", "version": 2, "model", "tokenizers", "onnx", "source", ...}
 *                       and aia4j's "layout", or an import's "image_layout" and "imported_from"
 *   tokenizers/         copied from the checkpoint
 *   MANIFEST.sha256     every file's SHA-256, verified on load
 * </pre>
 *
 * The directory is written to a staging folder and renamed into place, so an interrupted export
 * never leaves a half-written model where a good one was.
 */
public final class OnnxExport {
  /** The {@code format} of an export's {@code config.json}. */
  public static final String FORMAT = "aia4j-onnx";
  /** The export {@code version} this code writes and reads: 2 since the cache has a past and a recent part. */
  public static final int VERSION = 2;
  /** The ONNX file's name in an export. */
  public static final String MODEL = "model.onnx";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private OnnxExport() {}

  /**
   * @param model a model configuration
   * @return the ONNX file serving each task: {@value #MODEL} for both unless the model is forked,
   *     then {@code model-und.onnx} and {@code model-gen.onnx}
   */
  public static Map<Task, String> files(ModelConfig model) {
    Map<Task, String> files = new EnumMap<>(Task.class);
    for (Task task : Task.values()) {
      files.put(task, model.forked() ? "model-" + task.shortName() + ".onnx" : MODEL);
    }
    return files;
  }

  /**
   * Builds the ONNX model of a fully shared checkpoint in memory.
   *
   * @param attentions true to add the per-layer {@code attentions.{i}} outputs (for profiling)
   * @throws IOException for a forked checkpoint too: use {@link #model(CheckpointFiles, boolean, Task)}
   */
  public static ModelProto model(CheckpointFiles checkpoint, boolean attentions) throws IOException {
    return model(checkpoint, attentions, null);
  }

  /**
   * Builds the ONNX graph of a checkpoint's branch for {@code task} in memory (the whole model when
   * it is not forked).
   *
   * @param task the branch of a forked model; ignored otherwise
   */
  public static ModelProto model(CheckpointFiles checkpoint, boolean attentions, Task task) throws IOException {
    SafeTensors.Contents weights = checkpoint.weights();
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("aia4j.source_step", Long.toString(checkpoint.step()));
    metadata.put("aia4j.model", JSON.writeValueAsString(checkpoint.model()).replaceAll("\\s+", ""));
    try {
      return new TransformerExporter(checkpoint.model(), weights.tensors(), attentions, task).export(metadata);
    } catch (IllegalArgumentException e) {
      throw new IOException(checkpoint.dir().resolve(CheckpointFiles.MODEL) + ": " + e.getMessage(), e);
    }
  }

  /**
   * Exports the checkpoint {@code checkpointDir} to {@code out}, replacing an older export there.
   *
   * @return the written directory's manifest
   */
  public static Manifest write(Path checkpointDir, Path out, boolean attentions) throws IOException {
    CheckpointFiles checkpoint = CheckpointFiles.open(checkpointDir);
    Map<String, ModelProto> graphs = new LinkedHashMap<>();
    for (Map.Entry<Task, String> file : files(checkpoint.model()).entrySet()) {
      if (!graphs.containsKey(file.getValue())) {
        graphs.put(file.getValue(), model(checkpoint, attentions, file.getKey()));
      }
    }
    // Refuse tokenizers (and an import's recorded layout) that do not fit the model before writing anything.
    if (TextModel.isImported(checkpoint.config())) {
      ImportedTokenizers.read(checkpointDir, checkpoint.model().vocabSize());
    } else {
      checkpoint.tokenizers();
    }
    AtomicDirectory.write(out, true, staging -> {
      for (Map.Entry<String, ModelProto> graph : graphs.entrySet()) {
        Files.write(staging.resolve(graph.getKey()), graph.getValue().toByteArray());
      }
      Path tokenizers = Files.createDirectories(staging.resolve(CheckpointFiles.TOKENIZERS));
      try (Stream<Path> files = Files.list(checkpointDir.resolve(CheckpointFiles.TOKENIZERS))) {
        for (Path file : (Iterable<Path>) files::iterator) {
          Files.copy(file, tokenizers.resolve(file.getFileName()));
        }
      }
      Files.writeString(staging.resolve(CheckpointFiles.CONFIG),
          JSON.writeValueAsString(config(checkpoint, attentions)) + "\n", StandardCharsets.UTF_8);
      Manifest.write(staging);
    });
    return Manifest.read(out);
  }

  private static ObjectNode config(CheckpointFiles checkpoint, boolean attentions) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("version", VERSION);
    root.put("step", checkpoint.step());
    root.set("model", JSON.valueToTree(checkpoint.model()));
    root.set("tokenizers", checkpoint.config().path("tokenizers").deepCopy());
    if (TextModel.isImported(checkpoint.config())) {
      // The model's own vocabulary: how it writes images, and where it came from.
      for (String field : new String[] {"image_layout", "imported_from"}) {
        if (checkpoint.config().has(field)) {
          root.set(field, checkpoint.config().get(field).deepCopy());
        }
      }
    } else {
      root.set("layout", checkpoint.config().path("layout").deepCopy());
    }
    ObjectNode onnx = root.putObject("onnx");
    if (checkpoint.model().forked()) {
      ObjectNode files = onnx.putObject("files");
      files(checkpoint.model()).forEach((task, file) -> files.put(task.shortName(), file));
    } else {
      onnx.put("file", MODEL);
    }
    onnx.put("opset", GraphBuilder.OPSET);
    onnx.put("attentions", attentions);
    ObjectNode source = root.putObject("source");
    source.put("checkpoint", checkpoint.dir().toAbsolutePath().toString());
    source.put("model_sha256", Manifest.read(checkpoint.dir()).digests().get(CheckpointFiles.MODEL));
    for (String field : new String[] {"training", "provenance"}) { // an import has neither
      if (checkpoint.config().has(field)) {
        source.set(field, checkpoint.config().get(field).deepCopy());
      }
    }
    if (checkpoint.config().has("data")) {
      source.put("data", checkpoint.config().path("data").asText());
    }
    return root;
  }
}
