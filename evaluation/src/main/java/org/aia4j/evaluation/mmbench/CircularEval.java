package org.aia4j.evaluation.mmbench;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * MMBench's CircularEval: an N-option question is asked N times with its options rotated, and the
 * question counts as right only if every rotation is answered right.
 *
 * <p>Rotation {@code k} is built as VLMEvalKit's {@code CIRCULAR} tool builds it: the labels
 * {@code A..N} rotated right {@code k} times give the map {@code old label -> new label}, so the
 * option shown under letter {@code p} is the original option {@code (p + k) mod N}, the answer
 * letter moves from {@code a} to {@code (a - k) mod N}, the copy's index is
 * {@code g + k * 1_000_000} for original index {@code g}, and it shares the original's image. For
 * a 4-option question with answer A the copies have answers A, D, C, B.
 *
 * <p>Rows VLMEvalKit calls abnormal are kept as one unrotated copy, as it does: fewer than two
 * options, options that are not {@code A, B, ...} without gaps, an answer that is not one of the
 * options, an option whose text is itself a run of capital letters, or an option whose text names
 * two or more option letters as words.
 */
public final class CircularEval {
  /** The index offset between rotations, MMBench's {@code 1e6}. */
  public static final long OFFSET = 1_000_000L;

  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

  private CircularEval() {}

  /** The group (original question's index) of row {@code index}. */
  public static long groupOf(long index) {
    return index % OFFSET;
  }

  /** The rotation number of row {@code index}: 0 for an original question. */
  public static int rotationOf(long index) {
    return (int) (index / OFFSET);
  }

  /**
   * Every original followed by its rotated copies: originals first (in the given order), then all
   * first rotations, then all second rotations, and so on, as VLMEvalKit's tool writes them.
   *
   * @throws IllegalArgumentException if an index is negative, not below {@link #OFFSET}, or repeated
   */
  public static List<MmbenchQuestion> expand(List<MmbenchQuestion> originals) {
    Set<Long> seen = new HashSet<>();
    int maxRotations = 1;
    for (MmbenchQuestion q : originals) {
      if (q.index() < 0 || q.index() >= OFFSET) {
        throw new IllegalArgumentException(
            "CircularEval needs original indices in [0, " + OFFSET + "), got " + q.index());
      }
      if (!seen.add(q.index())) {
        throw new IllegalArgumentException("Index " + q.index() + " occurs twice");
      }
      maxRotations = Math.max(maxRotations, rotations(q));
    }
    List<MmbenchQuestion> rows = new ArrayList<>();
    for (int k = 0; k < maxRotations; k++) {
      for (MmbenchQuestion q : originals) {
        if (k < rotations(q)) {
          rows.add(rotate(q, k));
        }
      }
    }
    return rows;
  }

  /** How many copies CircularEval asks of {@code question}: its option count, or 1 if abnormal. */
  public static int rotations(MmbenchQuestion question) {
    return isAbnormal(question) ? 1 : question.options().size();
  }

  /**
   * Rotation {@code k} of an original question.
   *
   * @throws IllegalArgumentException if {@code k} is not in {@code [0, rotations(question))}
   */
  public static MmbenchQuestion rotate(MmbenchQuestion question, int k) {
    int n = rotations(question);
    if (k < 0 || k >= n) {
      throw new IllegalArgumentException(
          "Rotation " + k + " of question " + question.index() + " does not exist; it has " + n + " rotation(s)");
    }
    if (k == 0) {
      return question;
    }
    List<String> texts = new ArrayList<>(question.options().values());
    Map<String, String> rotated = new LinkedHashMap<>();
    for (int p = 0; p < n; p++) {
      rotated.put(letter(p), texts.get((p + k) % n));
    }
    int answer = ALPHABET.indexOf(question.answer());
    String newAnswer = letter(Math.floorMod(answer - k, n));
    return question.withRotation(question.index() + k * OFFSET, rotated, newAnswer);
  }

  /** Whether VLMEvalKit's {@code CIRCULAR} tool would leave this question unrotated. */
  public static boolean isAbnormal(MmbenchQuestion question) {
    Map<String, String> options = question.options();
    int n = options.size();
    if (n < 2) {
      return true;
    }
    int p = 0;
    for (String label : options.keySet()) {
      if (!label.equals(letter(p++))) {
        return true; // a gap, e.g. A, B, D
      }
    }
    String answer = question.answer();
    if (answer.length() != 1 || ALPHABET.indexOf(answer) < 0 || ALPHABET.indexOf(answer) >= n) {
      return true;
    }
    for (String text : options.values()) {
      if (!text.isEmpty() && ALPHABET.contains(text)) {
        return true; // the option text looks like a label
      }
      Set<String> named = new HashSet<>();
      for (String word : lettersOnly(text).split(" ")) {
        if (options.containsKey(word)) {
          named.add(word);
        }
      }
      if (named.size() > 1) {
        return true;
      }
    }
    return false;
  }

  private static String letter(int position) {
    return String.valueOf(ALPHABET.charAt(position));
  }

  /** VLMEvalKit's {@code proc_str}: every character but ASCII letters and spaces becomes a space. */
  private static String lettersOnly(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      out.append((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ? c : ' ');
    }
    return out.toString().trim();
  }
}
