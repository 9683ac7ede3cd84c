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
import org.aia4j.api.tokenizer.TextTokenizer;
import org.aia4j.inference.checkpoint.CheckpointFiles;
import org.aia4j.inference.io.SafeTensors;
import org.aia4j.inference.model.ModelConfig;
import org.aia4j.inference.model.ModelTensors;

/**
 * Imports a Hugging Face LLaMA-family model directory as an aia4j checkpoint.
 *
 * <p>Everything is read and checked before anything is written: {@code config.json} (a supported
 * {@code model_type}), the weights (one file or the shards an index names; F32, F16 or BF16,
 * memory-mapped, converted to float32), every tensor's name and shape, finite values, and the
 * {@code tokenizer.json} (through the {@code huggingface} text tokenizer provider, whose ids must
 * fit the model's vocabulary). The checkpoint is then written to a staging directory and renamed
 * into place, so a refused or interrupted import leaves no output directory.
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
    try (HfWeights weights = HfWeights.open(source)) {
      progress.onProgress(0, 3, "reading " + weights.shardFiles().size() + " weight file(s)");
      SafeTensors.Contents tensors = HfLlama.read(weights, model);
      ModelTensors.check(weights.source(), source.resolve(HfConfig.FILE_NAME), model, tensors);
      TreeSet<String> dtypes = new TreeSet<>();
      ObjectNode files = JSON.createObjectNode();
      Map<Path, TreeSet<String>> dtypesByFile = new TreeMap<>();
      for (String name : weights.names()) {
        dtypesByFile.computeIfAbsent(weights.shardOf(name), f -> new TreeSet<>()).add(weights.dtype(name));
      }
      progress.onProgress(1, 3, "hashing the weight files");
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
      root.putObject("tokenizers").put("text", TEXT_TOKENIZER);
      ObjectNode imported = root.putObject("imported_from");
      imported.put("directory", source.toAbsolutePath().normalize().toString());
      imported.put("model_type", hf.modelType());
      imported.put("torch_dtype", hf.torchDtype().orElse(null));
      imported.set("weights", files);
      ObjectNode tokenizerFiles = imported.putObject("tokenizer");
      for (String name : new String[] {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"}) {
        if (Files.isRegularFile(source.resolve(name))) {
          tokenizerFiles.put(name, Manifest.sha256(source.resolve(name)));
        }
      }
      String version = HfImport.class.getPackage().getImplementationVersion();
      root.putObject("provenance")
          .put("aia4j", version == null ? "development" : version)
          .put("java", System.getProperty("java.version"))
          .put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
      progress.onProgress(2, 3, "writing " + out.getFileName());
      AtomicDirectory.write(out, false, staging -> {
        Files.writeString(staging.resolve(CheckpointFiles.CONFIG), JSON.writeValueAsString(root) + "\n",
            StandardCharsets.UTF_8);
        SafeTensors.write(staging.resolve(CheckpointFiles.MODEL), tensors.tensors(),
            Map.of("format", "aia4j-unified-transformer", "imported_from", hf.modelType()));
        text.save(Files.createDirectories(staging.resolve(CheckpointFiles.TOKENIZERS)));
        Manifest.write(staging);
      });
      progress.onProgress(3, 3, "done");
      return new Result(out, model, ModelTensors.count(model), sha, dtypes, (System.nanoTime() - start) / 1e9);
    }
  }
}
