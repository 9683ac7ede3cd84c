package org.aia4j.evaluation.mmbench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import org.aia4j.evaluation.io.JsonLines;

/**
 * Scores a model's answers the way VLMEvalKit scores MMBench in exact-matching mode: each answer
 * is read with {@link AnswerExtractor} (no LLM judge), a question counts as right under
 * CircularEval only if every one of its rotations is (an unreadable or missing answer is wrong),
 * and accuracies are means over questions, overall and per {@code category}, {@code l2-category}
 * and {@code split}, as in VLMEvalKit's {@code report_acc}. The one-pass ("vanilla") accuracy uses
 * only the original rows ({@code index == group}).
 */
public final class MmbenchScorer {
  /** The summary file {@link #score(Path, Path, Path)} writes. */
  public static final String SUMMARY_FILE = "summary.json";
  /** The per-question results file: one JSON object per question. */
  public static final String RESULTS_FILE = "results.jsonl";

  private MmbenchScorer() {}

  /**
   * Scores {@code predictionsFile} ({@code index<TAB>answer} lines) against an MMBench TSV and
   * writes {@value #RESULTS_FILE} and then {@value #SUMMARY_FILE} into {@code outDir}, atomically.
   * The summary holds {@code overall} (circular), {@code vanilla}, {@code categories},
   * {@code l2_categories}, {@code questions}, {@code missing} and more, plus the files' SHA-256.
   *
   * @throws IOException naming the file and line or row at fault: a TSV without an
   *     {@code answer} column, a malformed predictions line, a predicted index not in the data
   */
  public static MmbenchScore score(Path dataTsv, Path predictionsFile, Path outDir) throws IOException {
    MmbenchTsv.Contents data = MmbenchTsv.read(dataTsv);
    if (!data.hasColumn("answer")) {
      throw new IOException(dataTsv + ": missing required column 'answer' (scoring needs the right answers; "
          + "MMBench's test split has none)");
    }
    MmbenchPredictions predictions = MmbenchPredictions.read(predictionsFile);
    Set<Long> known = new HashSet<>();
    data.rows().forEach(row -> known.add(row.index()));
    for (Long index : predictions.answers().keySet()) {
      if (!known.contains(index)) {
        throw new IOException(predictionsFile + " line " + predictions.lines().get(index) + ": index " + index
            + " is not a row of " + dataTsv);
      }
    }
    MmbenchScore score;
    try {
      score = score(data.rows(), predictions.answers());
    } catch (IllegalArgumentException e) {
      throw new IOException(dataTsv + ": " + e.getMessage(), e);
    }
    List<Map<String, Object>> results = new ArrayList<>();
    for (MmbenchScore.Group group : score.groups()) {
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("index", group.index());
      line.put("category", group.category());
      line.put("l2-category", group.l2Category());
      line.put("split", group.split());
      line.put("hit", group.hit() ? 1 : 0);
      line.put("copies", group.copies());
      results.add(line);
    }
    JsonLines.write(outDir.resolve(RESULTS_FILE), results);
    Map<String, Object> summary = score.summary();
    summary.put("matching", "exact_matching");
    summary.put("data", dataTsv.toAbsolutePath().toString());
    summary.put("data_sha256", sha256(dataTsv));
    summary.put("predictions", predictionsFile.toAbsolutePath().toString());
    summary.put("predictions_sha256", sha256(predictionsFile));
    JsonLines.writeJson(outDir.resolve(SUMMARY_FILE), summary);
    return score;
  }

  /**
   * Scores answers held in memory. Rows without a prediction count as wrong.
   *
   * @param rows every row of an MMBench TSV, originals and rotated copies
   * @param predictions raw answers by row index
   * @throws IllegalArgumentException if a row has no answer or a rotated copy has no original row
   */
  public static MmbenchScore score(List<MmbenchQuestion> rows, Map<Long, String> predictions) {
    Map<Long, List<MmbenchQuestion>> byGroup = new TreeMap<>();
    Map<Long, MmbenchQuestion> originals = new HashMap<>();
    for (MmbenchQuestion row : rows) {
      if (row.answer().isEmpty()) {
        throw new IllegalArgumentException("row index " + row.index() + " has no answer to score against");
      }
      byGroup.computeIfAbsent(row.group(), g -> new ArrayList<>()).add(row);
      if (row.rotation() == 0) {
        originals.put(row.index(), row);
      }
    }
    List<MmbenchScore.Group> groups = new ArrayList<>();
    int missing = 0;
    int missingGroups = 0;
    int unreadable = 0;
    for (Map.Entry<Long, List<MmbenchQuestion>> entry : byGroup.entrySet()) {
      MmbenchQuestion original = originals.get(entry.getKey());
      if (original == null) {
        throw new IllegalArgumentException("row index " + entry.getValue().get(0).index()
            + " is a rotated copy of question " + entry.getKey() + ", which is not in the data");
      }
      List<MmbenchQuestion> members = new ArrayList<>(entry.getValue());
      members.sort((a, b) -> Long.compare(a.index(), b.index()));
      List<MmbenchScore.Copy> copies = new ArrayList<>();
      boolean allRight = true;
      boolean anyMissing = false;
      for (MmbenchQuestion row : members) {
        String prediction = predictions.get(row.index());
        String extracted = null;
        if (prediction == null) {
          missing++;
          anyMissing = true;
        } else {
          Optional<String> letter = AnswerExtractor.infer(prediction, row.options());
          extracted = letter.orElse(null);
          if (letter.isEmpty()) {
            unreadable++;
          }
        }
        boolean hit = row.answer().equals(extracted);
        allRight &= hit;
        copies.add(new MmbenchScore.Copy(row.index(), row.answer(), prediction, extracted, hit));
      }
      if (anyMissing) {
        missingGroups++;
      }
      groups.add(new MmbenchScore.Group(original.index(), original.category(), original.l2Category(),
          original.split(), allRight, copies));
    }
    Function<MmbenchScore.Group, Boolean> circular = MmbenchScore.Group::hit;
    Function<MmbenchScore.Group, Boolean> vanilla = g -> g.copies().get(0).hit();
    return new MmbenchScore(
        mean(groups, circular),
        mean(groups, vanilla),
        byKey(groups, MmbenchScore.Group::category, circular),
        byKey(groups, MmbenchScore.Group::l2Category, circular),
        byKey(groups, MmbenchScore.Group::category, vanilla),
        byKey(groups, MmbenchScore.Group::split, circular),
        groups.size(),
        rows.size(),
        missing,
        missingGroups,
        unreadable,
        groups);
  }

  private static double mean(List<MmbenchScore.Group> groups, Function<MmbenchScore.Group, Boolean> hit) {
    if (groups.isEmpty()) {
      return 0;
    }
    long right = groups.stream().filter(hit::apply).count();
    return right / (double) groups.size();
  }

  /** Accuracy per non-empty key, keys sorted (VLMEvalKit sorts abilities too). */
  private static SortedMap<String, Double> byKey(List<MmbenchScore.Group> groups,
      Function<MmbenchScore.Group, String> key, Function<MmbenchScore.Group, Boolean> hit) {
    Map<String, List<MmbenchScore.Group>> split = new TreeMap<>();
    for (MmbenchScore.Group group : groups) {
      String name = key.apply(group);
      if (!name.isEmpty()) {
        split.computeIfAbsent(name, k -> new ArrayList<>()).add(group);
      }
    }
    SortedMap<String, Double> accuracy = new TreeMap<>();
    split.forEach((name, members) -> accuracy.put(name, mean(members, hit)));
    return accuracy;
  }

  private static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      int n;
      while ((n = in.read(buffer)) > 0) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
