package org.aia4j.inference.profile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.stream.IntStream;
import org.aia4j.api.interaction.InteractionRoles;
import org.aia4j.inference.sequence.TokenSequence;

/**
 * One sequence of a {@code --sequences} file: ids fed verbatim, and the positions whose attention
 * the interaction statistic measures, {@code I_l = mean over heads and queries q of sum over keys
 * k of A_l[h, q, k]}.
 *
 * @param ids the token ids, nothing prepended
 * @param queries the query positions {@code Q}, distinct, in {@code [0, ids.length)}
 * @param keys the key positions {@code K}, distinct, in {@code [0, ids.length)}
 */
public record ExplicitSequence(int[] ids, int[] queries, int[] keys) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The sequence a layout made of a sample, with the query and key positions the task's roles pick.
   *
   * @param sequence a sequence with per-position roles
   * @param roles which roles are the task's queries and keys
   * @throws IllegalArgumentException if the roles pick no query (a generation sample without codes)
   */
  public static ExplicitSequence of(TokenSequence sequence, InteractionRoles roles) {
    int[] codes = new int[sequence.length()];
    for (int t = 0; t < codes.length; t++) {
      codes[t] = sequence.roles()[t].code();
    }
    int[] queries = IntStream.range(0, codes.length).filter(t -> roles.isQueryAt(codes, t)).toArray();
    int[] keys = IntStream.range(0, codes.length).filter(t -> roles.isKey(sequence.roles()[t])).toArray();
    if (queries.length == 0) {
      throw new IllegalArgumentException("a " + roles.task().shortName() + " sequence without query positions");
    }
    return new ExplicitSequence(sequence.tokens(), queries, keys);
  }

  /** @return 1 at the query positions, 0 elsewhere, one per id */
  public float[] queryMask() {
    return mask(queries);
  }

  /** @return 1 at the key positions, 0 elsewhere, one per id */
  public float[] keyMask() {
    return mask(keys);
  }

  private float[] mask(int[] positions) {
    float[] mask = new float[ids.length];
    for (int p : positions) {
      mask[p] = 1f;
    }
    return mask;
  }

  /**
   * Reads a JSON-lines file, one {@code {"ids": [...], "queries": [...], "keys": [...]}} per line
   * (blank lines skipped).
   *
   * @param vocabSize the model's vocabulary, which every id must be in
   * @param maxLength the model's longest sequence
   * @throws IOException naming the file, the line and the field at fault
   */
  public static List<ExplicitSequence> read(Path file, int vocabSize, int maxLength) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "sequences file is missing (one JSON object per line:"
          + " {\"ids\": [...], \"queries\": [...], \"keys\": [...]})");
    }
    List<ExplicitSequence> out = new ArrayList<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n).strip();
      if (line.isEmpty()) {
        continue;
      }
      String where = file + " line " + (n + 1) + ": ";
      JsonNode row;
      try {
        row = JSON.readTree(line);
      } catch (JsonProcessingException e) {
        throw new IOException(where + "not valid JSON: " + e.getOriginalMessage(), e);
      }
      if (row == null || !row.isObject()) {
        throw new IOException(where + "expected an object with ids, queries and keys");
      }
      int[] ids = ints(row, "ids", where);
      if (ids.length == 0 || ids.length > maxLength) {
        throw new IOException(where + "ids has " + ids.length + " tokens; the model takes 1 to " + maxLength);
      }
      for (int id : ids) {
        if (id < 0 || id >= vocabSize) {
          throw new IOException(where + "id " + id + " is outside the model's vocabulary [0, " + vocabSize + ")");
        }
      }
      int[] queries = positions(row, "queries", ids.length, where);
      int[] keys = positions(row, "keys", ids.length, where);
      if (queries.length == 0) {
        throw new IOException(where + "queries is empty: I_l needs at least one query position");
      }
      out.add(new ExplicitSequence(ids, queries, keys));
    }
    if (out.isEmpty()) {
      throw new IOException(file + ": holds no sequences");
    }
    return out;
  }

  private static int[] ints(JsonNode row, String field, String where) throws IOException {
    JsonNode array = row.get(field);
    if (array == null || !array.isArray()) {
      throw new IOException(where + field + " is " + (array == null ? "missing" : "not a list of integers"));
    }
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      if (!array.get(i).isIntegralNumber() || !array.get(i).canConvertToInt()) {
        throw new IOException(where + field + "[" + i + "] is " + array.get(i) + ", not an integer");
      }
      out[i] = array.get(i).asInt();
    }
    return out;
  }

  private static int[] positions(JsonNode row, String field, int length, String where) throws IOException {
    int[] out = ints(row, field, where);
    BitSet seen = new BitSet(length);
    for (int p : out) {
      if (p < 0 || p >= length) {
        throw new IOException(where + field + " has position " + p + ", outside the sequence's " + length + " tokens");
      }
      if (seen.get(p)) {
        throw new IOException(where + field + " lists position " + p + " twice");
      }
      seen.set(p);
    }
    return out;
  }
}
