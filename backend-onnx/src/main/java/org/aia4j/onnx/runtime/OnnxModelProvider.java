package org.aia4j.onnx.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.aia4j.api.model.ModelProvider;
import org.aia4j.api.model.UnifiedModel;
import org.aia4j.inference.checkpoint.CheckpointFiles;
import org.aia4j.inference.checkpoint.TextModel;
import org.aia4j.inference.decode.ImportedModel;

/**
 * Loads {@code aia export} directories, and aia4j checkpoints (exported in memory), as {@link
 * OnnxUnifiedModel}s, and imported or Hugging Face decoders (and exports of imports) as {@link
 * ImportedModel}s; registered
 * as {@code onnx}. Options: {@code device=cpu|cuda[:N]}, {@code
 * threads=N}.
 */
public final class OnnxModelProvider implements ModelProvider {

  @Override
  public String name() {
    return "onnx";
  }

  /** After djl: a checkpoint loads on DJL unless onnx is asked for; exports are recognised by {@link #canLoad}. */
  @Override
  public int rank() {
    return 20;
  }

  @Override
  public UnifiedModel load(Path path, Map<String, String> options) throws IOException {
    if (TextModel.isTextOnly(path)) { // an imported or Hugging Face decoder: text continuation only
      TextModel model = TextModel.open(path);
      return new ImportedModel(model, OnnxTextEngine.load(model, options));
    }
    if (ImportedExport.is(path)) {
      return ImportedExport.load(path, options);
    }
    return OnnxUnifiedModel.load(path, options);
  }

  /** @return true for an {@code aia export} directory */
  @Override
  public boolean canLoad(Path path) {
    return OnnxUnifiedModel.isExport(path);
  }

  /** @return true for a directory ONNX can serve: an export or a checkpoint */
  static boolean canServe(Path path) {
    return OnnxUnifiedModel.isExport(path) || OnnxUnifiedModel.hasFormat(path, CheckpointFiles.FORMAT);
  }
}
