package org.aia4j.tokenizers.hf;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.aia4j.api.tokenizer.ChatTemplate;
import org.aia4j.api.tokenizer.TextTokenizer;

/**
 * A model's own text tokenizer: its {@code tokenizer.json} run by the Rust {@code tokenizers}
 * library (through DJL, whose jar bundles the native library: nothing is downloaded), with the
 * specials {@code tokenizer_config.json} asks for.
 *
 * <p>Ids are the model's ids: no token layout offsets them. {@link #encode} adds no specials;
 * {@link #encodeWithSpecials} adds them as Hugging Face's fast tokenizers do: when {@code
 * tokenizer_config.json} sets {@code add_bos_token} or {@code add_eos_token} those decide (the
 * post-processor is then not run, so a BOS it also adds is not added twice), else the {@code
 * tokenizer.json} post-processor decides.
 *
 * <p>The chat template ({@link #chatTemplate()}) is {@code chat_template.jinja} or the config's
 * {@code chat_template}, rendered as {@code transformers} renders it ({@link JinjaChatTemplate}).
 *
 * <p>The vocabulary (for {@link #token}, {@link #id} and {@link #vocabularySize}) is read from
 * {@code tokenizer.json}'s model ({@code vocab} as an object for WordLevel, BPE and WordPiece, as
 * a list for Unigram) and its {@code added_tokens}.
 */
public final class HuggingFaceTextTokenizer implements TextTokenizer {
  /** The provider name and {@link #kind()}. */
  public static final String KIND = "huggingface";
  /** The format version: the files are Hugging Face's own, copied unchanged. */
  public static final int VERSION = 1;
  /** The tokenizer itself, required. */
  public static final String TOKENIZER_FILE = "tokenizer.json";
  /** Specials and their flags, optional. */
  public static final String CONFIG_FILE = "tokenizer_config.json";
  /** Older models' specials, optional; copied with the others. */
  public static final String SPECIAL_TOKENS_FILE = "special_tokens_map.json";
  /** The chat template as newer {@code transformers} saves it, beside the config; preferred to the config's. */
  public static final String CHAT_TEMPLATE_FILE = "chat_template.jinja";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, String> NO_TRUNCATION =
      Map.of("truncation", "false", "padding", "false", "maxLength", "-1");

  private final HuggingFaceTokenizer tokenizer;
  private final String[] tokens;
  private final Map<String, Integer> ids;
  private final Boolean addBos;
  private final Boolean addEos;
  private final OptionalInt bos;
  private final OptionalInt eos;
  private final int unknown;
  private final Path source;
  private final ChatTemplate chatTemplate;

  private HuggingFaceTextTokenizer(Path source, HuggingFaceTokenizer tokenizer, String[] tokens,
      Map<String, Integer> ids, JsonNode config, String modelUnknown) throws IOException {
    this.source = source;
    this.tokenizer = tokenizer;
    this.tokens = tokens;
    this.ids = ids;
    this.addBos = config.path("add_bos_token").isBoolean() ? config.get("add_bos_token").asBoolean() : null;
    this.addEos = config.path("add_eos_token").isBoolean() ? config.get("add_eos_token").asBoolean() : null;
    this.bos = special(config, "bos_token");
    this.eos = special(config, "eos_token");
    OptionalInt unk = special(config, "unk_token");
    Integer modelUnk = modelUnknown == null ? null : ids.get(modelUnknown);
    this.unknown = unk.isPresent() ? unk.getAsInt() : modelUnk != null ? modelUnk : 0;
    this.chatTemplate = readChatTemplate(source, config);
    if (Boolean.TRUE.equals(addBos) && bos.isEmpty()) {
      throw new IOException(source.resolve(CONFIG_FILE) + ": add_bos_token is true but bos_token is missing or not in "
          + TOKENIZER_FILE + "'s vocabulary");
    }
    if (Boolean.TRUE.equals(addEos) && eos.isEmpty()) {
      throw new IOException(source.resolve(CONFIG_FILE) + ": add_eos_token is true but eos_token is missing or not in "
          + TOKENIZER_FILE + "'s vocabulary");
    }
  }

  /**
   * Reads {@value #TOKENIZER_FILE} (required) and {@value #CONFIG_FILE} (optional) from {@code dir}:
   * a Hugging Face model directory or a checkpoint's {@code tokenizers/}.
   *
   * @throws IOException naming the file: missing, not JSON, a model the library cannot read, a
   *     special token outside the vocabulary
   */
  public static HuggingFaceTextTokenizer load(Path dir) throws IOException {
    Path file = dir.resolve(TOKENIZER_FILE);
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "no " + TOKENIZER_FILE + " here; a Hugging Face model"
          + " directory holds one beside config.json (save it with the model's tokenizer.save_pretrained)");
    }
    JsonNode root = readJson(file);
    Map<String, Integer> ids = new HashMap<>();
    JsonNode vocab = root.path("model").path("vocab");
    if (vocab.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        if (!entry.getValue().canConvertToInt() || entry.getValue().asInt() < 0) {
          throw new IOException(file + ": model.vocab maps '" + entry.getKey() + "' to " + entry.getValue()
              + ", not a non-negative id");
        }
        ids.put(entry.getKey(), entry.getValue().asInt());
      }
    } else if (vocab.isArray()) { // Unigram: [[piece, score], ...], the id is the index
      for (int i = 0; i < vocab.size(); i++) {
        ids.put(vocab.get(i).path(0).asText(), i);
      }
    } else {
      throw new IOException(file + ": model.vocab is " + (vocab.isMissingNode() ? "missing" : "neither an object"
          + " nor a list") + "; is this a tokenizers tokenizer.json?");
    }
    for (JsonNode added : root.path("added_tokens")) {
      if (!added.path("id").canConvertToInt() || !added.path("content").isTextual()) {
        throw new IOException(file + ": an added_tokens entry lacks its id or content: " + added);
      }
      ids.put(added.get("content").asText(), added.get("id").asInt());
    }
    if (ids.isEmpty()) {
      throw new IOException(file + ": the vocabulary is empty");
    }
    int size = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    String[] tokens = new String[size];
    ids.forEach((token, id) -> tokens[id] = token);
    Path configFile = dir.resolve(CONFIG_FILE);
    JsonNode config = Files.isRegularFile(configFile) ? readJson(configFile) : JSON.createObjectNode();
    HuggingFaceTokenizer tokenizer;
    try {
      // A prompt is never truncated or padded here: the model's limits are checked by its caller.
      tokenizer = HuggingFaceTokenizer.newInstance(file, NO_TRUNCATION);
    } catch (RuntimeException e) {
      throw new IOException(file + ": the tokenizers library cannot read it: " + e.getMessage(), e);
    }
    String modelUnknown = root.path("model").path("unk_token").isTextual()
        ? root.path("model").path("unk_token").asText() : null;
    try {
      return new HuggingFaceTextTokenizer(dir, tokenizer, tokens, ids, config, modelUnknown);
    } catch (IOException | RuntimeException e) {
      tokenizer.close();
      throw e;
    }
  }

  private static JsonNode readJson(Path file) throws IOException {
    try {
      JsonNode node = JSON.readTree(file.toFile());
      if (node == null || !node.isObject()) {
        throw new IOException(file + ": expected a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** A special named by {@code tokenizer_config.json}, as a string or an AddedToken object. */
  private OptionalInt special(JsonNode config, String field) {
    String content = specialText(config, field);
    Integer id = content == null ? null : ids.get(content);
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  private static String specialText(JsonNode config, String field) {
    JsonNode value = config.path(field);
    return value.isTextual() ? value.asText() : value.path("content").isTextual()
        ? value.path("content").asText() : null;
  }

  /**
   * The chat template: {@value #CHAT_TEMPLATE_FILE} when present, else {@code chat_template} of
   * the config, a string or a list of named templates (the one named {@code default}); null when
   * the model has none.
   */
  private static ChatTemplate readChatTemplate(Path dir, JsonNode config) throws IOException {
    Path file = dir.resolve(CHAT_TEMPLATE_FILE);
    String template;
    String where;
    if (Files.isRegularFile(file)) {
      template = Files.readString(file, StandardCharsets.UTF_8);
      where = file.toString();
    } else {
      JsonNode node = config.path("chat_template");
      where = dir.resolve(CONFIG_FILE) + " (chat_template)";
      if (node.isTextual()) {
        template = node.asText();
      } else if (node.isArray()) {
        template = null;
        for (JsonNode named : node) {
          if ("default".equals(named.path("name").asText()) && named.path("template").isTextual()) {
            template = named.get("template").asText();
          }
        }
        if (template == null) {
          throw new IOException(where + ": a list of templates without one named 'default'");
        }
      } else if (node.isMissingNode() || node.isNull()) {
        return null;
      } else {
        throw new IOException(where + ": neither a string nor a list of named templates");
      }
    }
    Map<String, String> specials = new HashMap<>();
    for (String field : List.of("bos_token", "eos_token", "unk_token", "pad_token")) {
      String text = specialText(config, field);
      specials.put(field, text == null ? "" : text);
    }
    return new JinjaChatTemplate(template, where, specials);
  }

  @Override
  public Optional<ChatTemplate> chatTemplate() {
    return Optional.ofNullable(chatTemplate);
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public int version() {
    return VERSION;
  }

  @Override
  public int vocabularySize() {
    return tokens.length;
  }

  @Override
  public int unknownId() {
    return unknown;
  }

  @Override
  public int[] encode(String text) {
    return ids(tokenizer.encode(Objects.requireNonNull(text, "text"), false, false));
  }

  @Override
  public int[] encodeWithSpecials(String text) {
    Objects.requireNonNull(text, "text");
    if (addBos == null && addEos == null) {
      return ids(tokenizer.encode(text, true, false));
    }
    int[] body = encode(text);
    boolean bosFirst = Boolean.TRUE.equals(addBos);
    boolean eosLast = Boolean.TRUE.equals(addEos);
    int[] out = new int[body.length + (bosFirst ? 1 : 0) + (eosLast ? 1 : 0)];
    int at = 0;
    if (bosFirst) {
      out[at++] = bos.getAsInt();
    }
    System.arraycopy(body, 0, out, at, body.length);
    if (eosLast) {
      out[out.length - 1] = eos.getAsInt();
    }
    return out;
  }

  private int[] ids(Encoding encoding) {
    long[] raw = encoding.getIds();
    int[] out = new int[raw.length];
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] < 0 || raw[i] >= tokens.length) {
        throw new IllegalStateException(source.resolve(TOKENIZER_FILE) + " produced id " + raw[i]
            + ", outside its vocabulary of " + tokens.length);
      }
      out[i] = (int) raw[i];
    }
    return out;
  }

  @Override
  public OptionalInt endOfTextId() {
    return eos;
  }

  /** @return the id {@code tokenizer_config.json} names as {@code bos_token}, if any */
  public OptionalInt beginOfTextId() {
    return bos;
  }

  @Override
  public String decode(int[] ids) {
    long[] raw = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      checkId(ids[i]);
      raw[i] = ids[i];
    }
    return tokenizer.decode(raw, false);
  }

  @Override
  public String token(int id) {
    checkId(id);
    return tokens[id] == null ? "" : tokens[id];
  }

  private void checkId(int id) {
    if (id < 0 || id >= tokens.length) {
      throw new IllegalArgumentException("id " + id + " is outside the vocabulary [0, " + tokens.length + ")");
    }
  }

  @Override
  public int id(String token) {
    Integer id = ids.get(token);
    return id == null ? unknown : id;
  }

  /** Copies {@value #TOKENIZER_FILE} and, when present, the config, special-tokens and chat-template files unchanged. */
  @Override
  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (String name : List.of(TOKENIZER_FILE, CONFIG_FILE, SPECIAL_TOKENS_FILE, CHAT_TEMPLATE_FILE)) {
      Path from = source.resolve(name);
      if (Files.isRegularFile(from)) {
        Files.copy(from, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }
}
