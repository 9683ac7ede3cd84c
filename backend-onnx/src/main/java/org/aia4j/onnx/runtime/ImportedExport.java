package org.aia4j.onnx.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.aia4j.api.model.Task;
import org.aia4j.inference.checkpoint.CheckpointFiles;
import org.aia4j.inference.checkpoint.TextModel;
import org.aia4j.inference.decode.ImportedModel;
import org.aia4j.inference.model.ModelConfig;
import org.aia4j.onnx.export.OnnxExport;

/**
 * An {@code aia export} of an imported decoder (its {@code config.json} records {@code
 * imported_from} and no aia4j token layout) as an {@link ImportedModel} on ONNX Runtime: the
 * export's graph, its own tokenizer and, when the import recorded them, its image layout and image
 * tokenizer, so it completes text, answers about images and draws them as the checkpoint did.
 */
final class ImportedExport {
  private ImportedExport() {}

  /** @return whether {@code path} is an export of an imported decoder */
  static boolean is(Path path) {
    if (!OnnxUnifiedModel.isExport(path)) {
      return false;
    }
    try {
      return TextModel.isImported(CheckpointFiles.readObject(path.resolve(CheckpointFiles.CONFIG)));
    } catch (IOException e) {
      return false; // the unified loader reports what is wrong with it
    }
  }

  /**
   * @param options {@code device=cpu|cuda[:N]}, {@code threads=N}
   * @throws IOException naming the export's file at fault (format, version, manifest, graph, tokenizers)
   */
  static ImportedModel load(Path path, Map<String, String> options) throws IOException {
    JsonNode root = CheckpointFiles.readConfig(path, OnnxExport.FORMAT, OnnxExport.VERSION, "aia export");
    ModelConfig model = CheckpointFiles.modelSection(path, root);
    String graph = OnnxUnifiedModel.verifiedGraphs(path, root, model).get(Task.UNDERSTANDING);
    TextModel text = TextModel.withoutWeights(path, root, model);
    OnnxTextEngine engine = OnnxTextEngine.fromGraph(text, path.resolve(graph), options);
    try {
      return new ImportedModel(text, engine);
    } catch (IOException | RuntimeException e) {
      engine.close();
      throw e;
    }
  }
}
