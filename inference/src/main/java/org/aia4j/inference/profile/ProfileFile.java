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
import org.aia4j.api.model.InteractionProfile;
import org.aia4j.api.model.Task;

/**
 * The JSON file {@code aia profile} writes and {@code aia targets} reads: one task's per-layer
 * interaction curve plus where it came from, e.g.
 * {@code {"task": "und", "layers": 4, "samples": 256, "mean": [...], "std": [...], "source": {...}}}.
 */
public final class ProfileFile {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ProfileFile() {}

  /** Writes {@code profile} with free-form provenance ({@code source}) atomically. */
  public static void write(Path path, InteractionProfile profile, Map<String, ?> source) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("task", profile.task().shortName());
    root.put("layers", profile.layers());
    root.put("samples", profile.samples());
    ArrayNode mean = root.putArray("mean");
    profile.mean().forEach(mean::add);
    ArrayNode std = root.putArray("std");
    profile.std().forEach(std::add);
    root.set("source", JSON.valueToTree(source));
    AtomicFiles.writeString(path, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
  }

  /**
   * Reads a profile file.
   *
   * @param expected the task the caller needs, or null for any; a mismatch is an error (passing
   *     a generation profile as {@code --und} is an easy mistake)
   * @throws IOException naming the file and the field at fault
   */
  public static InteractionProfile read(Path path, Task expected) throws IOException {
    if (!Files.isRegularFile(path)) {
      throw new NoSuchFileException(path.toString(), null, "profile file is missing (write one with aia profile)");
    }
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(path, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw new IOException(path + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IOException(path + ": expected a JSON object with task, samples, mean and std");
    }
    try {
      Task task = Task.parse(field(root, "task", path).asText());
      if (expected != null && task != expected) {
        throw new IOException(path + ": is a " + task.shortName() + " profile, but a " + expected.shortName()
            + " profile is needed here");
      }
      InteractionProfile profile = new InteractionProfile(task, numbers(root, "mean", path), numbers(root, "std", path),
          field(root, "samples", path).asInt());
      if (root.has("layers") && root.get("layers").asInt() != profile.layers()) {
        throw new IOException(path + ": says " + root.get("layers").asInt() + " layers but holds " + profile.layers()
            + " values");
      }
      return profile;
    } catch (IllegalArgumentException e) {
      throw new IOException(path + ": " + e.getMessage(), e);
    }
  }

  private static JsonNode field(JsonNode root, String name, Path path) throws IOException {
    JsonNode node = root.get(name);
    if (node == null || node.isNull()) {
      throw new IOException(path + ": missing field '" + name + "'");
    }
    return node;
  }

  private static List<Double> numbers(JsonNode root, String name, Path path) throws IOException {
    JsonNode node = field(root, name, path);
    if (!node.isArray()) {
      throw new IOException(path + ": field '" + name + "' must be an array of numbers");
    }
    List<Double> values = new ArrayList<>();
    for (JsonNode value : node) {
      if (!value.isNumber()) {
        throw new IOException(path + ": field '" + name + "' holds a non-number: " + value);
      }
      values.add(value.asDouble());
    }
    return values;
  }
}
