package org.aia4j.inference.profile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.aia4j.api.io.AtomicFiles;
import org.aia4j.api.model.Task;

/**
 * The JSON file {@code aia align} writes and {@code aia report} plots: one task's per-layer
 * mutual-kNN modality alignment, e.g. {@code {"kind": "alignment", "task": "und", "k": 10,
 * "samples": 256, "layers": 4, "alignment": [...], "source": {...}}}. The {@code kind} tells it
 * apart from an {@code aia profile} file.
 */
public final class AlignmentFile {
  /** The {@code kind} field's value. */
  public static final String KIND = "alignment";

  private static final ObjectMapper JSON = new ObjectMapper();

  private AlignmentFile() {}

  /** Writes {@code curve} with free-form provenance ({@code source}) atomically. */
  public static void write(Path path, AlignmentCurve curve, Map<String, ?> source) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("kind", KIND);
    root.put("task", curve.task().shortName());
    root.put("k", curve.k());
    root.put("samples", curve.samples());
    root.put("layers", curve.layers());
    ArrayNode values = root.putArray("alignment");
    curve.perLayer().forEach(values::add);
    root.set("source", JSON.valueToTree(source));
    AtomicFiles.writeString(path, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
  }

  /** @return whether a parsed JSON file is an alignment file */
  public static boolean isAlignment(JsonNode root) {
    return KIND.equals(root.path("kind").asText());
  }

  /**
   * Reads an alignment file.
   *
   * @throws IOException naming the file and the field at fault
   */
  public static AlignmentCurve read(Path path) throws IOException {
    if (!Files.isRegularFile(path)) {
      throw new NoSuchFileException(path.toString(), null, "alignment file is missing (write one with aia align)");
    }
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(path, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw new IOException(path + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (!isAlignment(root)) {
      throw new IOException(path + ": not an alignment file (its kind is '" + root.path("kind").asText()
          + "', expected '" + KIND + "')");
    }
    Task task;
    try {
      task = Task.parse(root.path("task").asText());
    } catch (IllegalArgumentException e) {
      throw new IOException(path + ": task: " + e.getMessage(), e);
    }
    JsonNode values = root.path("alignment");
    if (!values.isArray() || values.isEmpty()) {
      throw new IOException(path + ": alignment must be a non-empty array of numbers");
    }
    List<Double> perLayer = new ArrayList<>();
    for (JsonNode v : values) {
      if (!v.isNumber()) {
        throw new IOException(path + ": alignment holds a non-number: " + v);
      }
      perLayer.add(v.asDouble());
    }
    if (root.path("layers").asInt(perLayer.size()) != perLayer.size()) {
      throw new IOException(path + ": layers says " + root.path("layers").asInt() + " but alignment has "
          + perLayer.size() + " values");
    }
    return new AlignmentCurve(task, root.path("k").asInt(), root.path("samples").asInt(), perLayer);
  }
}
