package org.aia4j.inference.hf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.aia4j.api.Registries;
import org.aia4j.api.benchmark.ProgressListener;
import org.aia4j.api.checkpoint.Manifest;
import org.aia4j.api.io.AtomicDirectory;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.api.tokenizer.TextTokenizer;
import org.aia4j.inference.checkpoint.CheckpointFiles;
import org.aia4j.inference.io.SafeTensors;
import org.aia4j.inference.model.ModelConfig;
import org.aia4j.inference.model.ModelTensors;
import org.aia4j.inference.sequence.ImageLayout;
import org.aia4j.inference.sequence.LayoutSequenceBuilder;

/**
 * Imports a Hugging Face LLaMA-family model directory as an aia4j checkpoint.
 *
 * <p>Everything is read and checked before anything is written: {@code config.json} (a supported
 * {@code model_type}), the weights' headers (one file or the shards an index names; F32, F16 or
 * BF16), every tensor's name and shape, and the {@code tokenizer.json} (through the {@code
 * huggingface} text tokenizer provider, whose ids must fit the model's vocabulary). The values
 * are then converted to float32 one tensor at a time from the memory-mapped shards and streamed
 * into a staging directory, each checked finite; the directory is renamed into place only when
 * complete, so a refused or interrupted import leaves no output directory.
 *
 * <pre>
 *   config.json        format aia4j-checkpoint; model (family llama); tokenizers.text = huggingface;
 *                      imported_from: directory, model_type, torch_dtype, each weight file's
 *                      SHA-256, size and dtypes, each tokenizer file's SHA-256
 *   model.safetensors  float32, aia4j's tensor names
 *   tokenizers/        tokenizer.json, tokenizer_config.json (copied unchanged)
 *   MANIFEST.sha256
 * </pre>
 *
 * <p>An imported checkpoint has no token layout section: its ids are the model's own, and the text
 * tokenizer gives them directly.
 */
public final class HfImport {
  /** The text tokenizer kind an imported checkpoint uses. */
  public static final String TEXT_TOKENIZER = "huggingface";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private HfImport() {}

  /**
   * What an import wrote.
   *
   * @param out the checkpoint directory
   * @param model the model's configuration
   * @param parameters the parameter count
   * @param weightFiles the weight files read, with their SHA-256
   * @param sourceDtypes the dtypes found in them
   * @param seconds the wall time
   */
  public record Result(Path out, ModelConfig model, long parameters, Map<String, String> weightFiles,
      TreeSet<String> sourceDtypes, double seconds) {}

  /**
   * Whether {@code dir} looks like a Hugging Face model directory: a {@code config.json} with a
   * {@code model_type} and no aia4j {@code format}.
   */
  public static boolean isHfDirectory(Path dir) {
    Path config = dir.resolve(HfConfig.FILE_NAME);
    if (!Files.isRegularFile(config)) {
      return false;
    }
    try {
      var root = new ObjectMapper().readTree(config.toFile());
      return root != null && root.has("model_type") && !root.has("format");
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean isEmptyDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (var entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  /**
   * Imports {@code source} into {@code out}.
   *
   * @param source a Hugging Face model directory
   * @param out the checkpoint to write; must not exist
   * @param progress told of each tensor read
   * @throws IOException naming the file and what is wrong; nothing is written then
   */
  public static Result run(Path source, Path out, ProgressListener progress) throws IOException {
    return run(source, out, null, progress);
  }

  /**
   * Imports {@code source} into {@code out} with the model's image layout, checked against its
   * tokenizer and vocabulary first and recorded as {@code image_layout} in {@code config.json}.
   *
   * @param layout the model's image layout, or null for a text-only import
   * @throws IOException as {@link #run(Path, Path, ProgressListener)}, or naming what in the layout
   *     does not fit the model; nothing is written then
   */
  public static Result run(Path source, Path out, ImageLayout layout, ProgressListener progress) throws IOException {
    return run(source, out, layout, null, progress);
  }

  /**
   * Imports {@code source} with its image layout and image tokenizer, so the import answers about
   * images and draws them; the tokenizer's files are copied into the checkpoint's {@code
   * tokenizers/} and its kind recorded as {@code tokenizers.image}.
   *
   * @param image the model's image tokenizer (its codebook the layout's codes), or null
   * @throws IOException as {@link #run(Path, Path, ImageLayout, ProgressListener)}, or when the
   *     image tokenizer does not fit the layout; nothing is written then
   */
  public static Result run(Path source, Path out, ImageLayout layout, ImageTokenizer image, ProgressListener progress)
      throws IOException {
    if (image != null && layout == null) {
      throw new IllegalArgumentException("an image tokenizer needs the model's image layout too (--layout)");
    }
    long start = System.nanoTime();
    if (Files.exists(out) && !isEmptyDirectory(out)) {
      throw new FileAlreadyExistsException(out.toString(), null,
          "already exists; import into a new directory (nothing was written)");
    }
    if (!Files.isDirectory(source)) {
      throw new NoSuchFileException(source.toString(), null, "not a directory (a Hugging Face model directory holds"
          + " config.json, model.safetensors or its shards, and tokenizer.json)");
    }
    HfConfig hf = HfConfig.read(source.resolve(HfConfig.FILE_NAME));
    ModelConfig model = HfLlama.modelConfig(hf);
    TextTokenizer text = Registries.textTokenizers().get(TEXT_TOKENIZER).load(source);
    if (text.vocabularySize() > model.vocabSize()) {
      throw new IOException(source.resolve("tokenizer.json") + ": the tokenizer has " + text.vocabularySize()
          + " ids but the model's vocab_size is " + model.vocabSize() + " (" + source.resolve(HfConfig.FILE_NAME)
          + "); they are not of the same model");
    }
    if (layout != null) {
      try {
        LayoutSequenceBuilder sequences = new LayoutSequenceBuilder(layout.resolve(text, model.vocabSize()), text, image);
        if (image != null) {
          sequences.grid(image.tokensPerImage()); // its codes per image must fit the layout's grid
        }
      } catch (IllegalArgumentException e) {
        throw new IOException(source + ": " + e.getMessage() + " (nothing was written)", e);
      }
    }
    try (HfWeights weights = HfWeights.open(source)) {
      // Names and shapes from the headers first; values are converted while they are written.
      Map<String, String> plan = HfLlama.plan(weights, model);
      Map<String, long[]> shapes = ModelTensors.shapes(model);
      TreeSet<String> dtypes = new TreeSet<>();
      ObjectNode files = JSON.createObjectNode();
      Map<Path, TreeSet<String>> dtypesByFile = new TreeMap<>();
      for (String name : weights.names()) {
        dtypesByFile.computeIfAbsent(weights.shardOf(name), f -> new TreeSet<>()).add(weights.dtype(name));
      }
      long steps = plan.size() + 2L;
      progress.onProgress(0, steps, "hashing the weight files");
      Map<String, String> sha = weights.sha256();
      for (Path file : weights.shardFiles()) {
        String name = file.getFileName().toString();
        ObjectNode entry = files.putObject(name);
        entry.put("sha256", sha.get(name));
        entry.put("bytes", Files.size(file));
        ArrayNode kinds = entry.putArray("dtypes");
        dtypesByFile.getOrDefault(file, new TreeSet<>()).forEach(kinds::add);
        dtypes.addAll(dtypesByFile.getOrDefault(file, new TreeSet<>()));
      }
      ObjectNode root = JSON.createObjectNode();
      root.put("format", CheckpointFiles.FORMAT);
      root.put("version", CheckpointFiles.VERSION);
      root.put("step", 0);
      root.set("model", JSON.valueToTree(model));
      ObjectNode tokenizerKinds = root.putObject("tokenizers");
      if (image != null) {
        tokenizerKinds.put("image", image.kind());
      }
      tokenizerKinds.put("text", TEXT_TOKENIZER);
      if (layout != null) {
        root.set("image_layout", JSON.valueToTree(layout));
      }
      ObjectNode imported = root.putObject("imported_from");
      imported.put("directory", source.toAbsolutePath().normalize().toString());
      imported.put("model_type", hf.modelType());
      imported.put("torch_dtype", hf.torchDtype().orElse(null));
      imported.set("weights", files);
      ObjectNode tokenizerFiles = imported.putObject("tokenizer");
      for (String name : new String[] {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
          "chat_template.jinja"}) {
        if (Files.isRegularFile(source.resolve(name))) {
          tokenizerFiles.put(name, Manifest.sha256(source.resolve(name)));
        }
      }
      String version = HfImport.class.getPackage().getImplementationVersion();
      root.putObject("provenance")
          .put("aia4j", version == null ? "development" : version)
          .put("java", System.getProperty("java.version"))
          .put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
      int[] done = {1};
      progress.onProgress(1, steps, "converting to float32");
      AtomicDirectory.write(out, false, staging -> {
        Files.writeString(staging.resolve(CheckpointFiles.CONFIG), JSON.writeValueAsString(root) + "\n",
            StandardCharsets.UTF_8);
        // One tensor in memory at a time: peak memory stays near the model's float32 size.
        SafeTensors.writeFloats(staging.resolve(CheckpointFiles.MODEL), shapes,
            Map.of("format", "aia4j-unified-transformer", "imported_from", hf.modelType()), name -> {
              String hfName = plan.get(name);
              float[] values = weights.read(hfName);
              for (int i = 0; i < values.length; i++) {
                if (!Float.isFinite(values[i])) {
                  throw new IOException(weights.shardOf(hfName) + ": tensor '" + hfName + "' holds " + values[i]
                      + " at index " + i + "; a model with non-finite weights cannot be run (nothing was written)");
                }
              }
              progress.onProgress(++done[0], steps, name);
              return values;
            });
        Path tokenizers = Files.createDirectories(staging.resolve(CheckpointFiles.TOKENIZERS));
        text.save(tokenizers);
        if (image != null) {
          image.save(tokenizers);
        }
        Manifest.write(staging);
      });
      progress.onProgress(steps, steps, "done");
      return new Result(out, model, model.parameterCount(), sha, dtypes, (System.nanoTime() - start) / 1e9);
    }
  }
}
