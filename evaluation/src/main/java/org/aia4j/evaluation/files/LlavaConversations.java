package org.aia4j.evaluation.files;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aia4j.evaluation.io.JsonLines;

/**
 * Reads understanding samples from LLaVA's conversation JSON: an array of
 *
 * <pre>
 * {"id": "0001", "image": "images/0001.png",
 *  "conversations": [{"from": "human", "value": "&lt;image&gt;\nWhat colour is the circle?"},
 *                    {"from": "gpt", "value": "red"}]}
 * </pre>
 *
 * Every human turn followed by a gpt turn is one sample on the entry's image, so a multi-turn
 * conversation gives several samples; each is trained alone (the model sees one question per
 * sequence), which is what a single-turn model can learn from it. The {@code <image>} placeholder
 * and the newline beside it are removed from the prompt, and nothing else (its own spacing and line
 * breaks are what the model reads): the image's place in the sequence is
 * fixed by the layout. Image paths resolve against the JSON file's folder.
 */
final class LlavaConversations {
  /** The placeholder LLaVA writes where the image goes. */
  static final String IMAGE_PLACEHOLDER = "<image>";

  private LlavaConversations() {}

  /**
   * @throws IOException naming the file, and the array index of the first malformed entry
   */
  static List<FileRows.Understanding> read(Path file) throws IOException {
    JsonNode root;
    try {
      root = JsonLines.MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw new IOException(file + ": malformed JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isArray()) {
      throw new IOException(file + ": expected a JSON array of LLaVA conversations "
          + "({\"image\": ..., \"conversations\": [...]})");
    }
    List<FileRows.Understanding> rows = new ArrayList<>();
    Path folder = file.toAbsolutePath().getParent();
    for (int index = 0; index < root.size(); index++) {
      rows.addAll(entry(root.get(index), file + " index " + index, folder));
    }
    return rows;
  }

  private static List<FileRows.Understanding> entry(JsonNode entry, String origin, Path folder) throws IOException {
    if (!entry.isObject()) {
      throw new IOException(origin + ": expected a JSON object");
    }
    JsonNode image = entry.get("image");
    if (image == null || !image.isTextual() || image.asText().isBlank()) {
      throw new IOException(origin + ": needs an \"image\" path (text-only conversations cannot train understanding)");
    }
    JsonNode turns = entry.get("conversations");
    if (turns == null || !turns.isArray()) {
      throw new IOException(origin + ": needs a \"conversations\" array");
    }
    Path imageFile = folder.resolve(image.asText());
    List<FileRows.Understanding> samples = new ArrayList<>();
    for (int t = 0; t + 1 < turns.size(); t++) {
      String from = text(turns.get(t), "from", origin, t);
      String next = text(turns.get(t + 1), "from", origin, t + 1);
      if (from.equals("human") && next.equals("gpt")) {
        String prompt = stripPlaceholder(text(turns.get(t), "value", origin, t));
        String answer = text(turns.get(t + 1), "value", origin, t + 1);
        if (answer.isBlank()) {
          throw new IOException(origin + ": conversation turn " + (t + 1) + " has a blank answer");
        }
        samples.add(new FileRows.Understanding(origin, imageFile, null, prompt, answer));
        t++;
      }
    }
    if (samples.isEmpty()) {
      throw new IOException(origin + ": no human turn followed by a gpt turn in \"conversations\"");
    }
    return samples;
  }

  private static String text(JsonNode turn, String field, String origin, int index) throws IOException {
    JsonNode value = turn == null ? null : turn.get(field);
    if (value == null || !value.isTextual()) {
      throw new IOException(origin + ": conversation turn " + index + " needs a text \"" + field + "\"");
    }
    return value.asText();
  }

  /** The prompt without LLaVA's {@code <image>} placeholder and the newline that sets it apart. */
  static String stripPlaceholder(String value) {
    return value.replace(IMAGE_PLACEHOLDER + "\n", "").replace("\n" + IMAGE_PLACEHOLDER, "")
        .replace(IMAGE_PLACEHOLDER, "");
  }
}
