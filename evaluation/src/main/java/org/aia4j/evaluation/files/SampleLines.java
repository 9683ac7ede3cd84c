package org.aia4j.evaluation.files;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aia4j.evaluation.io.JsonLines;

/**
 * Reads a JSON Lines data file, one sample per non-blank line:
 *
 * <pre>
 * {"prompt": "a red circle", "image": "images/0001.png"}                        generation
 * {"task": "generation", "prompt": "a red circle", "codes": [3, 41, ...]}       pre-tokenized generation
 * {"task": "understanding", "codes": [3, 41, ...], "prompt": "...", "answer": "..."}  pre-tokenized understanding
 * </pre>
 *
 * A row with {@code codes} is pre-tokenized and says its {@code task}; any other row is a
 * generation row with an image file, resolved against the JSONL file's folder.
 */
final class SampleLines {
  /** What a file of this reader holds, for the caller's counts. */
  record Rows(List<FileRows.Understanding> understanding, List<FileRows.Generation> generation) {}

  private SampleLines() {}

  /** @throws IOException naming the file and 1-based line of the first malformed row */
  static Rows read(Path file) throws IOException {
    List<FileRows.Understanding> understanding = new ArrayList<>();
    List<FileRows.Generation> generation = new ArrayList<>();
    Path folder = file.toAbsolutePath().getParent();
    for (JsonLines.Row read : JsonLines.readRows(file)) {
      String origin = read.origin();
      JsonNode row = read.node();
      if (row.has("codes")) {
        int[] codes = codes(row.get("codes"), origin);
        String task = text(row, "task", origin);
        switch (task) {
          case "understanding" -> understanding.add(new FileRows.Understanding(origin, null, codes,
              text(row, "prompt", origin), answer(row, origin)));
          case "generation" -> generation.add(new FileRows.Generation(origin, text(row, "prompt", origin), null, codes));
          default -> throw new IOException(origin + ": unknown \"task\" '" + task
              + "'; a row with codes is \"understanding\" or \"generation\"");
        }
      } else {
        if (row.has("task") && !"generation".equals(row.get("task").asText())) {
          throw new IOException(origin + ": an understanding row in JSON Lines carries \"codes\"; "
              + "understanding rows with image files go in a LLaVA conversation .json");
        }
        String image = text(row, "image", origin);
        generation.add(new FileRows.Generation(origin, text(row, "prompt", origin), folder.resolve(image), null));
      }
    }
    return new Rows(understanding, generation);
  }

  private static String text(JsonNode row, String field, String origin) throws IOException {
    JsonNode value = row.get(field);
    if (value == null || !value.isTextual()) {
      throw new IOException(origin + ": needs a text \"" + field + "\"");
    }
    return value.asText();
  }

  private static String answer(JsonNode row, String origin) throws IOException {
    String answer = text(row, "answer", origin);
    if (answer.isBlank()) {
      throw new IOException(origin + ": \"answer\" is blank");
    }
    return answer;
  }

  private static int[] codes(JsonNode node, String origin) throws IOException {
    if (!node.isArray() || node.isEmpty()) {
      throw new IOException(origin + ": \"codes\" must be a non-empty array of integers");
    }
    int[] codes = new int[node.size()];
    for (int i = 0; i < codes.length; i++) {
      JsonNode code = node.get(i);
      if (!code.isInt()) {
        throw new IOException(origin + ": \"codes\"[" + i + "] is " + code + ", not an integer");
      }
      codes[i] = code.intValue();
    }
    return codes;
  }
}
