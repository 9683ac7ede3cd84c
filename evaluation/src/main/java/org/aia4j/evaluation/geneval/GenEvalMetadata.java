package org.aia4j.evaluation.geneval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aia4j.api.io.AtomicFiles;
import org.aia4j.evaluation.io.JsonLines;

/**
 * GenEval's {@code evaluation_metadata.jsonl}: one prompt per line, written byte-for-byte as
 * GenEval's {@code create_prompts.py} writes it, read strictly with errors that name the line.
 */
public final class GenEvalMetadata {
  /** The file name GenEval uses. */
  public static final String FILE_NAME = "evaluation_metadata.jsonl";

  private GenEvalMetadata() {}

  /**
   * Reads every non-blank line as a prompt.
   *
   * @throws IOException naming the file and 1-based line of the first malformed JSON, unknown
   *     class or colour, or bad clause
   */
  public static List<GenEvalPrompt> read(Path path) throws IOException {
    if (!Files.isRegularFile(path)) {
      throw new NoSuchFileException(path.toString(), null, "GenEval metadata file is missing");
    }
    // Not JsonLines.read: semantic errors must name the line too, and that skips blank lines.
    List<GenEvalPrompt> prompts = new ArrayList<>();
    try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      String line;
      int number = 0;
      while ((line = reader.readLine()) != null) {
        number++;
        if (!line.isBlank()) {
          prompts.add(parse(line, path + " line " + number));
        }
      }
    } catch (java.nio.charset.CharacterCodingException e) {
      throw org.aia4j.evaluation.io.TextFiles.notUtf8(path, e);
    }
    return prompts;
  }

  /**
   * Parses one metadata line.
   *
   * @param where names the line in error messages, e.g. {@code file line 3}
   * @throws IOException prefixed with {@code where}
   */
  public static GenEvalPrompt parse(String line, String where) throws IOException {
    JsonNode node;
    try {
      node = JsonLines.MAPPER.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IOException(where + ": malformed JSON: " + e.getOriginalMessage(), e);
    }
    try {
      return GenEvalPrompt.fromJson(node);
    } catch (IllegalArgumentException e) {
      throw new IOException(where + ": " + e.getMessage(), e);
    }
  }

  /** Writes {@code prompts} atomically, one {@link GenEvalPrompt#toMetadataLine()} per line. */
  public static void write(Path path, List<GenEvalPrompt> prompts) throws IOException {
    StringBuilder text = new StringBuilder();
    for (GenEvalPrompt prompt : prompts) {
      text.append(prompt.toMetadataLine()).append('\n');
    }
    AtomicFiles.writeString(path, text.toString());
  }
}
