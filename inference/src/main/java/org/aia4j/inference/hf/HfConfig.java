package org.aia4j.inference.hf;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The architecture of a Hugging Face LLaMA-family checkpoint, read from its {@code config.json}.
 *
 * <p>Only the decoder's hyper-parameters are read; everything else in the file is ignored. When
 * the file nests them in a {@code text_config} object (as Hugging Face's {@code Emu3Config} does)
 * they are read from there, otherwise from the top level (LLaMA, Chameleon, BAAI's own Emu3
 * configs). Every problem is an {@link IOException} naming the file and the field, so a user who
 * points the importer at the wrong directory learns what is wrong without reading a stack trace.
 *
 * @param file the file read
 * @param modelType {@code model_type}, lower-cased: one of {@link #SUPPORTED_MODEL_TYPES}
 * @param vocabSize {@code vocab_size}
 * @param hiddenSize {@code hidden_size}
 * @param intermediateSize {@code intermediate_size}, the MLP's inner width
 * @param numHiddenLayers {@code num_hidden_layers}
 * @param numAttentionHeads {@code num_attention_heads}
 * @param numKeyValueHeads {@code num_key_value_heads}; defaults to {@code num_attention_heads}
 * @param rmsNormEps {@code rms_norm_eps}
 * @param ropeTheta {@code rope_theta}; defaults to 10000
 * @param maxPositionEmbeddings {@code max_position_embeddings}
 * @param tieWordEmbeddings {@code tie_word_embeddings}; defaults to false
 * @param qkLayernorm {@code qk_layernorm} (Chameleon normalises queries and keys); defaults to false
 * @param torchDtype {@code torch_dtype}, informational only (the tensors' own dtypes are used)
 * @param bosTokenId {@code bos_token_id}, when present
 * @param eosTokenIds {@code eos_token_id}: one id or a list of them; empty when absent
 */
public record HfConfig(
    Path file,
    String modelType,
    int vocabSize,
    int hiddenSize,
    int intermediateSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int numKeyValueHeads,
    double rmsNormEps,
    double ropeTheta,
    int maxPositionEmbeddings,
    boolean tieWordEmbeddings,
    boolean qkLayernorm,
    Optional<String> torchDtype,
    OptionalInt bosTokenId,
    List<Integer> eosTokenIds) {

  /** The file name of a checkpoint's configuration. */
  public static final String FILE_NAME = "config.json";

  /** The {@code model_type} values read: the LLaMA decoder and the unified models built on it. */
  public static final List<String> SUPPORTED_MODEL_TYPES = List.of("llama", "emu3", "chameleon");

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  /** Defensive copy of the list. */
  public HfConfig {
    eosTokenIds = List.copyOf(eosTokenIds);
  }

  /** @return {@code hidden_size / num_attention_heads} */
  public int headDim() {
    return hiddenSize / numAttentionHeads;
  }

  /**
   * Reads {@code config.json} from a checkpoint directory, or the given file.
   *
   * @param path a directory holding {@value #FILE_NAME}, or the file itself
   * @return the validated configuration
   * @throws IOException if the file cannot be read, is not JSON, has an unsupported model type, or
   *     a required field is missing or out of range; the message names the file and the field
   */
  public static HfConfig read(Path path) throws IOException {
    Path file = Files.isDirectory(path) ? path.resolve(FILE_NAME) : path;
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + ": no such file (a Hugging Face checkpoint directory holds "
          + FILE_NAME + ")");
    }
    JsonNode root;
    try {
      root = JSON.readTree(Files.readAllBytes(file));
    } catch (JsonProcessingException e) {
      throw new IOException(file + ": malformed JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IOException(file + ": must hold a JSON object");
    }
    JsonNode typeNode = root.get("model_type");
    if (typeNode == null || !typeNode.isTextual()) {
      throw new IOException(file + ": missing or non-string model_type (supported: "
          + SUPPORTED_MODEL_TYPES + ")");
    }
    // BAAI's Emu3 repositories spell it "Emu3"; Hugging Face's own classes use lower case.
    String modelType = typeNode.asText().toLowerCase(Locale.ROOT);
    if (!SUPPORTED_MODEL_TYPES.contains(modelType)) {
      throw new IOException(file + ": model_type '" + typeNode.asText()
          + "' is not supported (supported: " + SUPPORTED_MODEL_TYPES + ")");
    }
    JsonNode text = root.get("text_config");
    Fields f = new Fields(file, text != null && text.isObject() ? text : root, root);

    int vocab = f.positiveInt("vocab_size");
    int hidden = f.positiveInt("hidden_size");
    int intermediate = f.positiveInt("intermediate_size");
    int layers = f.positiveInt("num_hidden_layers");
    int heads = f.positiveInt("num_attention_heads");
    int kvHeads = f.has("num_key_value_heads") ? f.positiveInt("num_key_value_heads") : heads;
    if (hidden % heads != 0) {
      throw new IOException(file + ": hidden_size " + hidden
          + " is not divisible by num_attention_heads " + heads);
    }
    if (heads % kvHeads != 0) {
      throw new IOException(file + ": num_attention_heads " + heads
          + " is not divisible by num_key_value_heads " + kvHeads);
    }
    if ((hidden / heads) % 2 != 0) {
      // Rotary embeddings rotate pairs of dimensions.
      throw new IOException(file + ": hidden_size / num_attention_heads = " + (hidden / heads)
          + " must be even for rotary position embeddings");
    }
    double eps = f.positiveDouble("rms_norm_eps");
    double theta = f.has("rope_theta") ? f.positiveDouble("rope_theta") : 10000.0;
    int maxPositions = f.positiveInt("max_position_embeddings");
    boolean tie = f.has("tie_word_embeddings") && f.bool("tie_word_embeddings");
    boolean qkNorm = f.has("qk_layernorm") && f.bool("qk_layernorm");
    if (f.has("swin_norm") && f.bool("swin_norm")) {
      // Chameleon-30B normalises each block's output instead of its input: another decoder.
      throw new IOException(file + ": swin_norm is true (Chameleon's post-norm layers), which aia4j's LLaMA"
          + " family does not run; only pre-norm decoders (swin_norm false, as Chameleon-7B) can be imported");
    }
    Optional<String> dtype =
        f.has("torch_dtype") ? Optional.of(f.string("torch_dtype")) : Optional.empty();
    OptionalInt bos =
        f.has("bos_token_id") ? OptionalInt.of(f.tokenId("bos_token_id", f.get("bos_token_id"), vocab))
            : OptionalInt.empty();
    List<Integer> eos = new ArrayList<>();
    if (f.has("eos_token_id")) {
      JsonNode node = f.get("eos_token_id");
      if (node.isArray()) {
        for (JsonNode id : node) {
          eos.add(f.tokenId("eos_token_id", id, vocab));
        }
      } else {
        eos.add(f.tokenId("eos_token_id", node, vocab));
      }
    }
    return new HfConfig(file, modelType, vocab, hidden, intermediate, layers, heads, kvHeads, eps,
        theta, maxPositions, tie, qkNorm, dtype, bos, eos);
  }

  // Looks fields up in the decoder's object first, then the top level; JSON null counts as absent,
  // as Hugging Face writes "bos_token_id": null for models without one.
  private record Fields(Path file, JsonNode primary, JsonNode fallback) {

    JsonNode get(String name) {
      JsonNode n = primary.get(name);
      if ((n == null || n.isNull()) && fallback != primary) {
        n = fallback.get(name);
      }
      return n == null || n.isNull() ? null : n;
    }

    boolean has(String name) {
      return get(name) != null;
    }

    private JsonNode required(String name) throws IOException {
      JsonNode n = get(name);
      if (n == null) {
        throw new IOException(file + ": missing required field " + name);
      }
      return n;
    }

    int positiveInt(String name) throws IOException {
      JsonNode n = required(name);
      if (!n.canConvertToExactIntegral() || !n.canConvertToInt() || n.asInt() <= 0) {
        throw new IOException(file + ": " + name + " must be a positive integer, got " + n);
      }
      return n.asInt();
    }

    double positiveDouble(String name) throws IOException {
      JsonNode n = required(name);
      if (!n.isNumber() || !(n.asDouble() > 0) || Double.isInfinite(n.asDouble())) {
        throw new IOException(file + ": " + name + " must be a positive number, got " + n);
      }
      return n.asDouble();
    }

    boolean bool(String name) throws IOException {
      JsonNode n = required(name);
      if (!n.isBoolean()) {
        throw new IOException(file + ": " + name + " must be true or false, got " + n);
      }
      return n.asBoolean();
    }

    String string(String name) throws IOException {
      JsonNode n = required(name);
      if (!n.isTextual()) {
        throw new IOException(file + ": " + name + " must be a string, got " + n);
      }
      return n.asText();
    }

    int tokenId(String name, JsonNode n, int vocab) throws IOException {
      if (!n.canConvertToExactIntegral() || !n.canConvertToInt() || n.asInt() < 0
          || n.asInt() >= vocab) {
        throw new IOException(file + ": " + name + " must be a token id in [0, " + vocab
            + "), got " + n);
      }
      return n.asInt();
    }
  }
}
