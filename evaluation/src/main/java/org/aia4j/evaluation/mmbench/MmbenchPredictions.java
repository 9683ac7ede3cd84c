package org.aia4j.evaluation.mmbench;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.aia4j.api.io.AtomicFiles;

/**
 * A model's raw answers: one line per TSV row, {@code index<TAB>answer text}. The text is everything
 * after the first tab, kept verbatim (answer extraction reads it later). Blank lines are skipped and
 * a first line {@code index<TAB>prediction} is read as a header.
 *
 * @param source the file read
 * @param answers raw answer by row index, in file order
 * @param lines the 1-based line each index was read from, for error messages
 */
public record MmbenchPredictions(Path source, Map<Long, String> answers, Map<Long, Integer> lines) {

  public MmbenchPredictions {
    answers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(answers));
    lines = Map.copyOf(lines);
  }

  /**
   * Reads a predictions file.
   *
   * @throws IOException naming the file and the line: no tab, an index that is not an integer, or
   *     an index answered twice
   */
  public static MmbenchPredictions read(Path path) throws IOException {
    if (!Files.isRegularFile(path)) {
      throw new NoSuchFileException(path.toString(), null, "predictions file is missing");
    }
    Map<Long, String> answers = new LinkedHashMap<>();
    Map<Long, Integer> lineOf = new LinkedHashMap<>();
    try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      String line;
      int number = 0;
      while ((line = reader.readLine()) != null) {
        number++;
        if (number == 1 && line.startsWith("\uFEFF")) {
          line = line.substring(1);
        }
        if (line.isBlank()) {
          continue;
        }
        int tab = line.indexOf('\t');
        if (tab < 0) {
          throw new IOException(path + " line " + number + ": expected 'index<TAB>answer', found no tab in '"
              + abbreviate(line) + "'");
        }
        String indexCell = line.substring(0, tab).strip();
        if (number == 1 && indexCell.equals("index")) {
          continue;
        }
        long index;
        try {
          index = Long.parseLong(indexCell);
        } catch (NumberFormatException e) {
          throw new IOException(path + " line " + number + ": index '" + abbreviate(indexCell)
              + "' is not an integer", e);
        }
        Integer previous = lineOf.put(index, number);
        if (previous != null) {
          throw new IOException(path + " line " + number + ": index " + index + " was already answered on line "
              + previous);
        }
        answers.put(index, line.substring(tab + 1));
      }
    } catch (java.nio.charset.CharacterCodingException e) {
      throw org.aia4j.evaluation.io.TextFiles.notUtf8(path, e);
    }
    return new MmbenchPredictions(path, answers, lineOf);
  }

  /**
   * Writes answers in this format, atomically. Tabs and line breaks inside an answer become spaces
   * (a line holds one answer); answer extraction splits on whitespace, so letters read the same.
   */
  public static void write(Path path, Map<Long, String> answers) throws IOException {
    StringBuilder out = new StringBuilder();
    answers.forEach((index, answer) ->
        out.append(index).append('\t').append(answer.replaceAll("[\\t\\r\\n]", " ")).append('\n'));
    AtomicFiles.writeString(path, out.toString());
  }

  private static String abbreviate(String text) {
    return text.length() <= 60 ? text : text.substring(0, 57) + "...";
  }
}
