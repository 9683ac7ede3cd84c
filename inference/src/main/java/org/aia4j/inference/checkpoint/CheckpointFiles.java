package org.aia4j.inference.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.aia4j.api.Registries;
import org.aia4j.api.checkpoint.Manifest;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.api.tokenizer.TextTokenizer;
import org.aia4j.inference.io.SafeTensors;
import org.aia4j.inference.model.ModelConfig;
import org.aia4j.inference.sequence.Prompts;
import org.aia4j.inference.sequence.TokenLayout;

/**
 * Reads an aia4j checkpoint directory without any engine: the verified {@code config.json}, the
 * model configuration, the tokenizers and the raw weights. The DJL backend trains and writes
 * checkpoints; the ONNX exporter and other engines read them through this class.
 *
 * <pre>
 *   config.json          {"format": "aia4j-checkpoint", "version": 1, "step", "model", "tokenizers", ...}
 *   model.safetensors    the parameters, named as in the reference transformer
 *   tokenizers/          the image and text tokenizers
 *   MANIFEST.sha256      the SHA-256 of every file, verified before anything is read
 * </pre>
 */
public final class CheckpointFiles {
  /** The {@code format} field of a checkpoint's {@code config.json}. */
  public static final String FORMAT = "aia4j-checkpoint";
  /** The checkpoint {@code version} this code writes and reads. */
  public static final int VERSION = 1;

  public static final String CONFIG = "config.json";
  public static final String MODEL = "model.safetensors";
  public static final String TOKENIZERS = "tokenizers";

  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Path dir;
  private final JsonNode config;
  private final ModelConfig model;

  private CheckpointFiles(Path dir, JsonNode config, ModelConfig model) {
    this.dir = dir;
    this.config = config;
    this.model = model;
  }

  /**
   * Verifies {@code dir} and reads its {@code config.json}.
   *
   * @throws IOException naming what is wrong: not a checkpoint, another format or version, a
   *     corrupted file
   */
  public static CheckpointFiles open(Path dir) throws IOException {
    JsonNode root = readConfig(dir, FORMAT, VERSION, "aia train");
    if (!root.path("model").isObject()) {
      throw new IOException(dir.resolve(CONFIG) + ": invalid model section: it is missing");
    }
    if (!Files.isRegularFile(dir.resolve(MODEL))) {
      throw new NoSuchFileException(dir.resolve(MODEL).toString(), null, "the checkpoint has no weights");
    }
    try {
      return new CheckpointFiles(dir, root, JSON.treeToValue(root.get("model"), ModelConfig.class));
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new IOException(dir.resolve(CONFIG) + ": invalid model section: " + e.getMessage(), e);
    }
  }

  /**
   * Verifies a directory of aia4j files ({@code MANIFEST.sha256} first) and returns its {@code
   * config.json}, checked for the expected format and version.
   *
   * @param maker the command that makes such a directory, named in the error when it is missing
   */
  public static JsonNode readConfig(Path dir, String format, int version, String maker) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "directory is missing");
    }
    Path configFile = dir.resolve(CONFIG);
    if (!Files.isRegularFile(configFile)) {
      throw new NoSuchFileException(configFile.toString(), null,
          "not an " + format + " directory (no " + CONFIG + "; make one with " + maker + ")");
    }
    Manifest.verify(dir);
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(configFile, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw new IOException(configFile + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
    String found = root.path("format").asText();
    if (!format.equals(found)) {
      throw new IOException(configFile + ": format is '" + found + "', expected '" + format
          + "' (" + (found.isEmpty() ? "another tool's files?" : "use the command that reads '" + found + "'") + ")");
    }
    if (root.path("version").asInt() != version) {
      throw new IOException(configFile + ": " + format + " version " + root.path("version").asText()
          + " is not supported; this aia4j reads version " + version + " (make it again with " + maker + ")");
    }
    return root;
  }

  /**
   * Loads the tokenizers of a directory with a {@code tokenizers} section naming their kinds and
   * checks them against the model's vocabulary.
   */
  public static Prompts loadTokenizers(Path dir, JsonNode config, int vocabSize) throws IOException {
    Path folder = dir.resolve(TOKENIZERS);
    ImageTokenizer image = Registries.imageTokenizers()
        .get(config.path("tokenizers").path("image").asText()).load(folder);
    TextTokenizer text = Registries.textTokenizers()
        .get(config.path("tokenizers").path("text").asText()).load(folder);
    TokenLayout layout = TokenLayout.of(text, image);
    if (layout.vocabularySize() != vocabSize) {
      throw new IOException(dir + ": the tokenizers give a vocabulary of " + layout.vocabularySize()
          + " but the model was built for " + vocabSize);
    }
    return new Prompts(layout, text, image);
  }

  /** @return the directory */
  public Path dir() {
    return dir;
  }

  /** @return the whole {@code config.json} */
  public JsonNode config() {
    return config;
  }

  /** @return the transformer's configuration */
  public ModelConfig model() {
    return model;
  }

  /** @return optimisation steps behind the parameters */
  public long step() {
    return config.path("step").asLong();
  }

  /** Loads the tokenizers, checked against the model's vocabulary. */
  public Prompts tokenizers() throws IOException {
    return loadTokenizers(dir, config, model.vocabSize());
  }

  /** Reads {@code model.safetensors}. */
  public SafeTensors.Contents weights() throws IOException {
    return SafeTensors.read(dir.resolve(MODEL));
  }
}
