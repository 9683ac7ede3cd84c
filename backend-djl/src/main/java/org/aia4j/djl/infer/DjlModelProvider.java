package org.aia4j.djl.infer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.aia4j.api.model.ModelProvider;
import org.aia4j.api.model.UnifiedModel;
import org.aia4j.djl.checkpoint.Checkpoint;
import org.aia4j.inference.checkpoint.TextModel;
import org.aia4j.inference.decode.ImportedModel;

/**
 * Loads aia4j checkpoints ({@code aia train --out}) as {@link DjlUnifiedModel}s, and imported or
 * Hugging Face decoders as {@link ImportedModel}s, registered as {@code djl}. Takes no options.
 */
public final class DjlModelProvider implements ModelProvider {

  @Override
  public String name() {
    return "djl";
  }

  @Override
  public int rank() {
    return 10;
  }

  @Override
  public UnifiedModel load(Path path, Map<String, String> options) throws IOException {
    if (!options.isEmpty()) {
      throw new IllegalArgumentException("Unknown djl model option(s) " + options.keySet()
          + ". The djl model provider takes no options.");
    }
    if (TextModel.isTextOnly(path)) { // an imported or Hugging Face decoder: text continuation only
      TextModel model = TextModel.open(path);
      return new ImportedModel(model, DjlTextEngine.load(model));
    }
    return DjlUnifiedModel.load(path);
  }

  /**
   * @return true for a directory whose {@code config.json} has format {@code aia4j-checkpoint}, or
   *     a Hugging Face model directory
   */
  @Override
  public boolean canLoad(Path path) {
    if (TextModel.isTextOnly(path)) {
      return true;
    }
    Path config = path.resolve(Checkpoint.CONFIG);
    if (!Files.isDirectory(path) || !Files.isRegularFile(config)) {
      return false;
    }
    try {
      JsonNode root = new ObjectMapper().readTree(config.toFile());
      return Checkpoint.FORMAT.equals(root.path("format").asText());
    } catch (IOException e) {
      return false;
    }
  }
}
