package org.aia4j.tokenizers;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.aia4j.api.io.AtomicFiles;

/**
 * One tokenizer's JSON file in a checkpoint directory: written atomically, read back with a
 * specific message for every way it can be wrong (missing, corrupt, another kind, an unsupported
 * version, a missing or mistyped field).
 *
 * <p>Every file starts with {@code kind} and {@code version}; the rest belongs to the kind.
 */
final class TokenizerFile {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /**
   * Objects indented; a top-level array one element per line (a code, a word), deeper arrays on
   * one line (a code's pixels).
   */
  private static final DefaultPrettyPrinter PRINTER =
      new DefaultPrettyPrinter().withArrayIndenter(new TopLevelArraysOnly());

  /** Breaks lines inside an array, unless that array is itself inside an array. */
  private static final class TopLevelArraysOnly implements DefaultPrettyPrinter.Indenter {

    @Override
    public void writeIndentation(JsonGenerator generator, int level) throws IOException {
      JsonStreamContext context = generator.getOutputContext();
      if (context.inArray() && context.getParent() != null && context.getParent().inArray()) {
        generator.writeRaw(' ');
      } else {
        DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.writeIndentation(generator, level);
      }
    }

    @Override
    public boolean isInline() {
      return false;
    }
  }

  private final Path path;
  private final ObjectNode root;

  private TokenizerFile(Path path, ObjectNode root) {
    this.path = path;
    this.root = root;
  }

  /**
   * Starts the JSON of a file: {@code kind} and {@code version}, to which the caller adds its
   * fields in order.
   */
  static ObjectNode header(String kind, int version) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("kind", kind);
    root.put("version", version);
    return root;
  }

  /**
   * Writes {@code json} to {@code dir/fileName} through a temporary file in the same directory
   * and a rename, so a reader never sees half a file and a crash leaves the old one intact.
   *
   * @return the written file
   */
  static Path writeAtomically(Path dir, String fileName, JsonNode json) throws IOException {
    Path target = dir.resolve(fileName);
    AtomicFiles.writeString(target, MAPPER.writer(PRINTER).writeValueAsString(json) + "\n");
    return target;
  }

  /**
   * Reads {@code dir/fileName} and checks its kind and version.
   *
   * @param supported the versions this reader understands
   * @throws NoSuchFileException naming the path, if the file is missing
   * @throws IOException if it is not valid JSON, not an object, of another kind or an unsupported
   *     version
   */
  static TokenizerFile read(Path dir, String fileName, String kind, Set<Integer> supported)
      throws IOException {
    Path path = dir.resolve(fileName);
    if (!Files.isRegularFile(path)) {
      throw new NoSuchFileException(
          path.toString(),
          null,
          "No " + kind + " tokenizer here: " + fileName + " is missing (is " + dir
              + " a directory written by save()?)");
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(path.toFile());
    } catch (JsonProcessingException e) {
      throw new IOException(
          "Corrupt or truncated tokenizer file " + path + ": " + e.getOriginalMessage(), e);
    }
    if (node == null || node.isMissingNode()) {
      throw new IOException("Corrupt or truncated tokenizer file " + path + ": it is empty");
    }
    if (!node.isObject()) {
      throw new IOException(
          "Corrupt tokenizer file " + path + ": expected a JSON object, got " + node.getNodeType());
    }
    TokenizerFile file = new TokenizerFile(path, (ObjectNode) node);
    String actualKind = file.text("kind");
    if (!actualKind.equals(kind)) {
      throw new IOException(
          path + " holds a '" + actualKind + "' tokenizer, not '" + kind
              + "'; load it with the provider named '" + actualKind + "'");
    }
    int version = file.integer("version");
    if (!supported.contains(version)) {
      TreeSet<Integer> known = new TreeSet<>(supported);
      throw new IOException(
          path + " has " + kind + " format version " + version + ", but this aia4j supports "
              + (known.size() == 1 ? "version " : "versions ")
              + known.stream().map(String::valueOf).collect(Collectors.joining(", "))
              + (version > known.last() ? " (it was saved by a newer aia4j)" : ""));
    }
    return file;
  }

  /** @return the file this was read from, for messages */
  Path path() {
    return path;
  }

  /** @return the value of a required string field */
  String text(String field) throws IOException {
    JsonNode node = required(field);
    if (!node.isTextual()) {
      throw shape("'" + field + "' must be a string, got " + node);
    }
    return node.textValue();
  }

  /** @return the value of a required integer field */
  int integer(String field) throws IOException {
    JsonNode node = required(field);
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      throw shape("'" + field + "' must be an integer, got " + node);
    }
    return node.intValue();
  }

  /** @return the value of a required array field */
  ArrayNode array(String field) throws IOException {
    JsonNode node = required(field);
    if (!node.isArray()) {
      throw shape("'" + field + "' must be an array, got " + node.getNodeType());
    }
    return (ArrayNode) node;
  }

  /** @return an optional object field, or an empty object */
  JsonNode optional(String field) {
    JsonNode node = root.get(field);
    return node == null ? MAPPER.createObjectNode() : node;
  }

  /** @return an error about this file's content, naming the file */
  IOException shape(String problem) {
    return new IOException("Bad tokenizer file " + path + ": " + problem);
  }

  private JsonNode required(String field) throws IOException {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      throw shape("the field '" + field + "' is missing");
    }
    return node;
  }
}
