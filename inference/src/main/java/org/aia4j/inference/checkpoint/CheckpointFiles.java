package org.aia4j.inference.checkpoint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aia4j.api.Registries;
import org.aia4j.api.checkpoint.Manifest;
import org.aia4j.api.io.AtomicDirectory;
import org.aia4j.inference.model.ModelTensors;
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

  // Trailing content after the object ("}{", a second document) is refused: what follows the
  // object would otherwise be silently ignored.
  private static final ObjectMapper JSON = new ObjectMapper()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** The files every aia4j directory's manifest must list: its config and its tokenizers. */
  public static final List<String> REQUIRED = List.of(CONFIG, TOKENIZERS + "/");

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
    JsonNode root = readConfig(dir, FORMAT, VERSION, "aia train", List.of(MODEL));
    return new CheckpointFiles(dir, root, modelSection(dir, root));
  }

  /**
   * The {@code model} section of a directory's {@code config.json}, validated (bounds included).
   *
   * @throws IOException naming the file and the field at fault
   */
  public static ModelConfig modelSection(Path dir, JsonNode root) throws IOException {
    Path configFile = dir.resolve(CONFIG);
    if (!root.path("model").isObject()) {
      throw new IOException(configFile + ": the model section is " + (root.has("model")
          ? "not an object" : "missing") + "; it gives the transformer's layers, width, heads, ...");
    }
    try {
      return JSON.treeToValue(root.get("model"), ModelConfig.class);
    } catch (JsonProcessingException e) {
      Throwable cause = e.getCause();
      String reason = cause instanceof IllegalArgumentException ? cause.getMessage() : e.getOriginalMessage();
      throw new IOException(configFile + ": invalid model section: " + reason, e);
    } catch (IllegalArgumentException e) {
      throw new IOException(configFile + ": invalid model section: " + e.getMessage(), e);
    }
  }

  /**
   * Verifies a directory of aia4j files ({@code MANIFEST.sha256} first) and returns its {@code
   * config.json}, checked for the expected format and version.
   *
   * @param maker the command that makes such a directory, named in the error when it is missing
   */
  public static JsonNode readConfig(Path dir, String format, int version, String maker) throws IOException {
    return readConfig(dir, format, version, maker, List.of());
  }

  /**
   * As {@link #readConfig(Path, String, int, String)}, the manifest also required to list {@code
   * required} besides {@link #REQUIRED}. A directory missing after a write that was interrupted
   * between its renames is first recovered from its complete sibling ({@link AtomicDirectory#recover}).
   *
   * @param required further files the format needs (e.g. {@value #MODEL})
   */
  public static JsonNode readConfig(Path dir, String format, int version, String maker, List<String> required)
      throws IOException {
    if (!Files.exists(dir)) {
      recover(dir);
    }
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "directory is missing");
    }
    Path configFile = dir.resolve(CONFIG);
    if (!Files.isRegularFile(configFile)) {
      throw new NoSuchFileException(configFile.toString(), null,
          "not an " + format + " directory (no " + CONFIG + "; make one with " + maker + ")");
    }
    // Every listed file verified, config.json among them, before anything is read; the other
    // required files are checked once the format is known, so a foreign directory is named as such.
    Manifest manifest = Manifest.verify(dir, List.of(CONFIG));
    JsonNode root = readObject(configFile);
    String found = root.path("format").asText();
    if (!format.equals(found)) {
      throw new IOException(configFile + ": format is '" + found + "', expected '" + format
          + "' (" + (found.isEmpty() ? "another tool's files?" : "use the command that reads '" + found + "'") + ")");
    }
    if (root.path("version").asInt() != version) {
      throw new IOException(configFile + ": " + format + " version " + root.path("version").asText()
          + " is not supported; this aia4j reads version " + version + " (make it again with " + maker + ")");
    }
    List<String> all = new ArrayList<>(required); // the weights first: the most telling when missing
    all.addAll(REQUIRED);
    for (String file : all) {
      if (!file.endsWith("/") && !Files.isRegularFile(dir.resolve(file))) {
        throw new NoSuchFileException(dir.resolve(file).toString(), null,
            "the " + format + " directory lacks a file its format requires");
      }
      manifest.requireListed(dir, file);
    }
    return root;
  }

  /**
   * Reads a file holding one JSON object and nothing after it: trailing content ({@code }{}, a
   * second document) would otherwise be ignored, so what the file says would not be what is read.
   *
   * @throws IOException naming the file and where it goes wrong
   */
  public static JsonNode readObject(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    try (JsonParser parser = JSON.createParser(text)) {
      JsonNode root;
      try {
        // Trailing content is looked for below, to name it rather than report a parse error.
        root = JSON.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(parser);
      } catch (JsonProcessingException e) {
        throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
      }
      JsonToken next;
      try {
        next = parser.nextToken();
      } catch (JsonProcessingException e) {
        next = JsonToken.NOT_AVAILABLE;
      }
      if (next != null) {
        throw new IOException(file + ": not valid JSON: content follows the JSON object (line "
            + parser.currentLocation().getLineNr() + ", column " + parser.currentLocation().getColumnNr()
            + "); the file must hold exactly one object");
      }
      if (root == null || !root.isObject()) {
        throw new IOException(file + ": expected a JSON object");
      }
      return root;
    }
  }

  /**
   * Puts back a checkpoint (or export) whose replacement was interrupted between its renames and
   * removes the stale staging and old folders beside it ({@link AtomicDirectory#recover}); a
   * staging folder of an older aia4j is restored only if its manifest verifies.
   *
   * @return what was restored and removed
   */
  public static AtomicDirectory.Recovery recover(Path dir) throws IOException {
    return AtomicDirectory.recover(dir, CheckpointFiles::isVerified);
  }

  /** Whether {@code dir} is a directory whose manifest lists and verifies its config and tokenizers. */
  private static boolean isVerified(Path dir) {
    try {
      Manifest.verify(dir, REQUIRED);
      return true;
    } catch (IOException e) {
      return false;
    }
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
    TokenLayout layout;
    try {
      layout = TokenLayout.of(text, image);
    } catch (IllegalArgumentException e) {
      throw new IOException(folder + ": " + e.getMessage(), e);
    }
    if (layout.vocabularySize() != vocabSize) {
      throw new IOException(dir + ": the tokenizers give a vocabulary of " + layout.vocabularySize()
          + " but the model was built for " + vocabSize);
    }
    // An image plus <bos>, <boi> and <eoi> must fit the model's positions, or every image request
    // would fail (blaming the client) while the model reports healthy.
    int maxLength = config.path("model").path("maxLength").asInt(Integer.MAX_VALUE);
    if (image.tokensPerImage() < 1 || image.tokensPerImage() > maxLength - 3) {
      throw new IOException(folder + ": the " + image.kind() + " image tokenizer makes " + image.tokensPerImage()
          + " tokens per image (imageSize " + image.imageSize() + "), but the model section of "
          + dir.resolve(CONFIG) + " has maxLength " + maxLength + ", which holds at most " + (maxLength - 3)
          + " image tokens; the tokenizers and the model do not fit together");
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

  /**
   * Reads {@code model.safetensors}, checked against the model section ({@link ModelTensors#check}:
   * every parameter present with its shape, nothing extra, every value finite).
   */
  public SafeTensors.Contents weights() throws IOException {
    return checkedWeights(dir, model);
  }

  /**
   * Reads the {@code model.safetensors} of a checkpoint whose manifest {@link #readConfig} has
   * just verified, checked against {@code model} as {@link #weights()} does; for a loader that
   * read the config itself and should not hash the files a second time.
   */
  public static SafeTensors.Contents checkedWeights(Path dir, ModelConfig model) throws IOException {
    SafeTensors.Contents contents = SafeTensors.read(dir.resolve(MODEL));
    ModelTensors.check(dir.resolve(MODEL), dir.resolve(CONFIG), model, contents);
    return contents;
  }
}
