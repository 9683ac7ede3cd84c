package org.aia4j.evaluation.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aia4j.api.io.AtomicFiles;

/** JSON Lines I/O: errors name the file and the 1-based line number; writes are atomic. */
public final class JsonLines {
  /** The shared mapper: stable key order for reproducible files. */
  public static final ObjectMapper MAPPER = new ObjectMapper()
      .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, false);

  private JsonLines() {}

  /**
   * One JSON object of a JSON Lines file.
   *
   * @param origin the file and 1-based line it was read from, e.g. {@code data.jsonl line 3}, for messages
   * @param node the object
   */
  public record Row(String origin, JsonNode node) {}

  /**
   * Reads every non-blank line of {@code path} as a JSON object.
   *
   * @throws IOException naming the file and line of the first malformed line
   */
  public static List<JsonNode> read(Path path) throws IOException {
    return readRows(path).stream().map(Row::node).toList();
  }

  /**
   * Reads every non-blank line of {@code path} as a JSON object, with where each came from.
   *
   * @throws IOException naming the file and line of the first malformed line
   */
  public static List<Row> readRows(Path path) throws IOException {
    if (!Files.isRegularFile(path)) {
      throw new NoSuchFileException(path.toString(), null, "JSON Lines file is missing");
    }
    List<Row> rows = new ArrayList<>();
    try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      String line;
      int number = 0;
      while ((line = reader.readLine()) != null) {
        number++;
        if (line.isBlank()) {
          continue;
        }
        String origin = path + " line " + number;
        JsonNode node;
        try {
          node = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
          throw new IOException(origin + ": malformed JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) {
          throw new IOException(origin + ": expected a JSON object");
        }
        rows.add(new Row(origin, node));
      }
    }
    return rows;
  }

  /** Writes one compact JSON value per line, atomically. */
  public static void write(Path path, List<?> rows) throws IOException {
    StringBuilder text = new StringBuilder();
    for (Object row : rows) {
      text.append(MAPPER.writeValueAsString(row)).append('\n');
    }
    AtomicFiles.writeString(path, text.toString());
  }

  /** Writes one pretty-printed JSON document, atomically. */
  public static void writeJson(Path path, Object value) throws IOException {
    AtomicFiles.writeString(path, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value) + "\n");
  }

  /**
   * Reads a file holding one JSON object.
   *
   * @param expected what the object should be, for the message, e.g. {@code an aia eval summary}
   * @throws IOException naming the file if it is not valid JSON or not an object
   */
  public static JsonNode readObject(Path file, String expected) throws IOException {
    JsonNode node;
    try {
      node = MAPPER.readTree(java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.UTF_8));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IOException(file + ": malformed JSON: " + e.getOriginalMessage(), e);
    }
    if (node == null || !node.isObject()) {
      throw new IOException(file + ": expected a JSON object" + (expected == null ? "" : " (" + expected + ")"));
    }
    return node;
  }
}
