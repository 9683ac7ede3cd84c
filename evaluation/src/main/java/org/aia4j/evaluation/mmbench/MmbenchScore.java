package org.aia4j.evaluation.mmbench;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The result of scoring one predictions file.
 *
 * @param overall CircularEval accuracy: the share of questions whose every rotation was right
 * @param vanilla one-pass accuracy over the original (unrotated) copies
 * @param categories circular accuracy per {@code category}
 * @param l2Categories circular accuracy per {@code l2-category}
 * @param vanillaCategories one-pass accuracy per {@code category}
 * @param splits circular accuracy per {@code split}
 * @param questions number of questions (CircularEval groups)
 * @param copies number of rows (all rotations)
 * @param missing rows with no prediction (counted wrong)
 * @param missingGroups questions with at least one missing prediction
 * @param unreadable rows whose prediction names no option (counted wrong)
 * @param groups per-question detail, ordered by question index
 */
public record MmbenchScore(
    double overall,
    double vanilla,
    SortedMap<String, Double> categories,
    SortedMap<String, Double> l2Categories,
    SortedMap<String, Double> vanillaCategories,
    SortedMap<String, Double> splits,
    int questions,
    int copies,
    int missing,
    int missingGroups,
    int unreadable,
    List<Group> groups) {

  public MmbenchScore {
    categories = new TreeMap<>(categories);
    l2Categories = new TreeMap<>(l2Categories);
    vanillaCategories = new TreeMap<>(vanillaCategories);
    splits = new TreeMap<>(splits);
    groups = List.copyOf(groups);
  }

  /** One question and how each of its rotations was answered. */
  public record Group(long index, String category, String l2Category, String split, boolean hit,
      List<Copy> copies) {
    public Group {
      copies = List.copyOf(copies);
    }
  }

  /**
   * One row's outcome.
   *
   * @param prediction the raw answer, null if missing
   * @param extracted the option letter read from it ({@code Z} for a refusal), null if none
   */
  public record Copy(long index, String answer, String prediction, String extracted, boolean hit) {}

  /** The summary as written to {@code summary.json} (without provenance). */
  public Map<String, Object> summary() {
    Map<String, Object> summary = new java.util.LinkedHashMap<>();
    summary.put("overall", overall);
    summary.put("vanilla", vanilla);
    summary.put("categories", categories);
    summary.put("l2_categories", l2Categories);
    summary.put("vanilla_categories", vanillaCategories);
    summary.put("splits", splits);
    summary.put("questions", questions);
    summary.put("copies", copies);
    summary.put("missing", missing);
    summary.put("missing_groups", missingGroups);
    summary.put("unreadable", unreadable);
    return summary;
  }
}
