package org.aia4j.evaluation.mmbench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.aia4j.api.io.AtomicFiles;
import org.aia4j.evaluation.io.TextFiles;

/**
 * Reads and writes MMBench TSV files: tab-separated, one header line, cells quoted the way
 * pandas' {@code to_csv}/{@code read_csv} quote them (a cell holding a tab, a quote or a line
 * break is wrapped in double quotes, with inner quotes doubled).
 *
 * <p>Reading is header-driven, like VLMEvalKit's pandas loading: columns may come in any order,
 * unknown columns (the official {@code source}, {@code comment}, {@code g_index} ...) are ignored,
 * and only {@code index}, {@code question} and {@code image} are required. Option columns are
 * {@code A} to {@code Z}; a missing option column and an empty or NaN cell ({@code nan},
 * {@code NaN}, {@code None}, {@code NA}, {@code N/A}, {@code null} ... the strings pandas reads as
 * NaN) both mean "no such option", as in VLMEvalKit's {@code build_choices}. An {@code image} cell
 * of at most 64 characters is the index of another row whose image this row shares (the official
 * files store CircularEval copies this way).
 *
 * <p>Writing uses the official column order ({@code index question hint A B C D answer category
 * image l2-category split}, with {@code E}... after {@code D} if some row has more options), and
 * writes each distinct image once: a later row with the same image refers to the first one by
 * index.
 */
public final class MmbenchTsv {
  /** Columns a file must have to be read. */
  public static final List<String> REQUIRED = List.of("index", "question", "image");

  /** An image cell this short is a reference to another row's index (VLMEvalKit's rule). */
  public static final int MAX_REFERENCE_LENGTH = 64;

  /** Strings pandas' {@code read_csv} turns into NaN by default. */
  static final Set<String> NAN_STRINGS = Set.of("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN",
      "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null");

  private static final String LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

  private static final CsvMapper CSV = CsvMapper.builder()
      // A cell is quoted only when it holds a tab, a quote or a line break, as pandas writes it.
      .enable(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING)
      // A trailing tab is an empty last cell, not something to ignore: cells are counted.
      .disable(CsvParser.Feature.ALLOW_TRAILING_COMMA)
      .build();

  /** Tab-separated, double quotes, no escape character, LF line ends. */
  private static final CsvSchema TSV = CsvSchema.emptySchema().withColumnSeparator('\t').withQuoteChar('"')
      .withoutEscapeChar().withLineSeparator("\n");

  private MmbenchTsv() {}

  /** What a TSV held: its header and its rows, images resolved. */
  public record Contents(Path source, List<String> columns, List<MmbenchQuestion> rows) {
    public Contents {
      columns = List.copyOf(columns);
      rows = List.copyOf(rows);
    }

    /** Whether the header has {@code column}. */
    public boolean hasColumn(String column) {
      return columns.contains(column);
    }
  }

  /**
   * Reads an MMBench TSV.
   *
   * @throws IOException naming the file and the column, line or row index at fault: a missing
   *     required column, a non-integer or repeated index, a line with more cells than the header,
   *     an image reference to a row that does not exist, or an image cell that is not base64
   */
  public static Contents read(Path path) throws IOException {
    if (!Files.isRegularFile(path)) {
      throw new NoSuchFileException(path.toString(), null, "MMBench TSV file is missing");
    }
    try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8);
        JsonParser cells = CSV.reader(TSV).createParser(reader)) {
      TsvRecord first = nextRecord(cells, path);
      if (first == null) {
        throw new IOException(path + " is empty: expected an MMBench TSV header line");
      }
      List<String> header = first.cells();
      if (!header.isEmpty() && header.get(0).startsWith("\uFEFF")) {
        header.set(0, header.get(0).substring(1));
      }
      Map<String, Integer> column = new HashMap<>();
      for (int i = 0; i < header.size(); i++) {
        column.putIfAbsent(header.get(i), i);
      }
      for (String required : REQUIRED) {
        if (!column.containsKey(required)) {
          throw new IOException(path + ": missing required column '" + required + "' (header has "
              + String.join(", ", header) + ")");
        }
      }
      List<RawRow> raw = new ArrayList<>();
      // Keyed by value, as pandas reads the column: "0" and "00" are the same index.
      Map<Long, Integer> rowOfIndex = new HashMap<>();
      TsvRecord next;
      while ((next = nextRecord(cells, path)) != null) {
        List<String> record = next.cells();
        int line = next.line();
        if (record.isEmpty() || record.size() == 1 && record.get(0).isEmpty()) {
          continue; // a blank line; pandas skips those
        }
        if (record.size() > header.size()) {
          throw new IOException(path + " line " + line + ": " + record.size() + " cells but the header has "
              + header.size() + " columns");
        }
        String indexCell = cell(record, column, "index");
        long index;
        try {
          index = Long.parseLong(indexCell.strip());
        } catch (NumberFormatException e) {
          throw new IOException(path + " line " + line + ": index '" + indexCell + "' is not an integer", e);
        }
        Integer previous = rowOfIndex.put(index, raw.size());
        if (previous != null) {
          throw new IOException(path + " line " + line + ": index " + index + " ('" + indexCell.strip()
              + "') also appears on line " + raw.get(previous).line + " ('"
              + cell(raw.get(previous).cells, column, "index").strip() + "')");
        }
        raw.add(new RawRow(line, index, record));
      }
      return new Contents(path, header, resolve(path, column, raw, rowOfIndex));
    } catch (CharacterCodingException e) {
      throw TextFiles.notUtf8(path, e);
    }
  }

  private record RawRow(int line, long index, List<String> cells) {}

  /** One record of the file and the 1-based line it starts on. */
  private record TsvRecord(int line, List<String> cells) {}

  /**
   * The next record, or null at the end of input. Jackson splits records the way pandas' C
   * parser does: a cell that starts with a double quote runs to the next lone double quote
   * (doubled quotes are one quote, tabs and line breaks inside are data), a quote elsewhere in a
   * cell is an ordinary character, and records end at LF, CRLF or CR outside quotes.
   */
  private static TsvRecord nextRecord(JsonParser cells, Path path) throws IOException {
    try {
      if (cells.nextToken() == null) {
        return null;
      }
      // Without named columns, each record is one array of strings; a record's line is that of
      // its first cell (the array's own start is reported at the previous record's end).
      int line = -1;
      List<String> record = new ArrayList<>();
      while (cells.nextToken() == JsonToken.VALUE_STRING) {
        if (line < 0) {
          line = cells.currentTokenLocation().getLineNr();
        }
        record.add(cells.getText());
      }
      return new TsvRecord(line, record);
    } catch (StreamReadException e) {
      // Jackson's message names its own input location; ours names the file and the line.
      throw new IOException(path + " line " + e.getLocation().getLineNr() + ": " + e.getOriginalMessage(), e);
    }
  }

  private static List<MmbenchQuestion> resolve(Path path, Map<String, Integer> column, List<RawRow> raw,
      Map<Long, Integer> rowOfIndex) throws IOException {
    Map<String, Boolean> checked = new IdentityHashMap<>();
    List<MmbenchQuestion> rows = new ArrayList<>(raw.size());
    for (RawRow row : raw) {
      String image = cell(row.cells, column, "image");
      if (image.isEmpty()) {
        throw new IOException(path + " row index " + row.index + " (line " + row.line + "): the image cell is empty");
      }
      if (image.length() <= MAX_REFERENCE_LENGTH) {
        Integer target = null;
        try {
          target = rowOfIndex.get(Long.parseLong(image.strip()));
        } catch (NumberFormatException e) {
          target = null; // not an index: refused below as a reference to no row
        }
        if (target == null) {
          throw new IOException(path + " row index " + row.index + " (line " + row.line + "): image cell '" + image
              + "' refers to index " + image.strip() + ", which is not in the file");
        }
        String targetImage = cell(raw.get(target).cells, column, "image");
        if (targetImage.length() <= MAX_REFERENCE_LENGTH) {
          throw new IOException(path + " row index " + row.index + " (line " + row.line + "): image cell refers to row "
              + image.strip() + ", whose image cell is itself a reference ('" + targetImage + "'), not an image");
        }
        image = targetImage;
      }
      if (checked.put(image, Boolean.TRUE) == null) {
        checkBase64(path, row, image);
      }
      Map<String, String> options = new LinkedHashMap<>();
      for (int i = 0; i < LETTERS.length(); i++) {
        String letter = String.valueOf(LETTERS.charAt(i));
        String text = cell(row.cells, column, letter);
        if (!isNan(text)) {
          options.put(letter, text);
        }
      }
      rows.add(new MmbenchQuestion(row.index, cell(row.cells, column, "question"), orEmpty(row, column, "hint"),
          options, orEmpty(row, column, "answer").strip(), orEmpty(row, column, "category"),
          orEmpty(row, column, "l2-category"), orEmpty(row, column, "split"), image));
    }
    return rows;
  }

  private static void checkBase64(Path path, RawRow row, String image) throws IOException {
    String payload = image.strip();
    int comma = payload.indexOf(',');
    if (payload.startsWith("data:") && comma > 0) {
      payload = payload.substring(comma + 1);
    }
    try {
      byte[] bytes = Base64.getDecoder().decode(payload.replaceAll("\\s+", ""));
      if (bytes.length == 0) {
        throw new IllegalArgumentException("no bytes");
      }
    } catch (IllegalArgumentException e) {
      throw new IOException(path + " row index " + row.index + " (line " + row.line
          + "): the image cell is not valid base64 (" + e.getMessage() + ")", e);
    }
  }

  /** Whether pandas would read {@code cell} as NaN. */
  static boolean isNan(String cell) {
    return NAN_STRINGS.contains(cell);
  }

  /** The cell, or "" where pandas would read NaN. */
  private static String orEmpty(RawRow row, Map<String, Integer> column, String name) {
    String value = cell(row.cells, column, name);
    return isNan(value) ? "" : value;
  }

  private static String cell(List<String> cells, Map<String, Integer> column, String name) {
    Integer i = column.get(name);
    return i == null || i >= cells.size() ? "" : cells.get(i);
  }

  /**
   * Writes {@code rows} as an MMBench TSV, atomically. Each distinct image is written once; later
   * rows with the same image refer to the first row holding it by index.
   */
  public static void write(Path path, List<MmbenchQuestion> rows) throws IOException {
    int optionColumns = 4;
    for (MmbenchQuestion row : rows) {
      for (String letter : row.options().keySet()) {
        optionColumns = Math.max(optionColumns, LETTERS.indexOf(letter) + 1);
      }
    }
    List<String> header = new ArrayList<>(List.of("index", "question", "hint"));
    for (int i = 0; i < optionColumns; i++) {
      header.add(String.valueOf(LETTERS.charAt(i)));
    }
    header.addAll(List.of("answer", "category", "image", "l2-category", "split"));

    List<List<String>> records = new ArrayList<>(rows.size() + 1);
    records.add(header);
    Map<String, Long> firstWithImage = new HashMap<>();
    for (MmbenchQuestion row : rows) {
      List<String> cells = new ArrayList<>(header.size());
      cells.add(Long.toString(row.index()));
      cells.add(row.question());
      cells.add(row.hint());
      for (int i = 0; i < optionColumns; i++) {
        cells.add(row.options().getOrDefault(String.valueOf(LETTERS.charAt(i)), ""));
      }
      cells.add(row.answer());
      cells.add(row.category());
      String image = row.image();
      if (image.length() > MAX_REFERENCE_LENGTH) {
        Long first = firstWithImage.putIfAbsent(image, row.index());
        if (first != null) {
          image = Long.toString(first);
        }
      }
      cells.add(image);
      cells.add(row.l2Category());
      cells.add(row.split());
      records.add(cells);
    }
    AtomicFiles.writeString(path, CSV.writer(TSV).writeValueAsString(records));
  }

}
