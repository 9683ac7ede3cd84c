package org.aia4j.evaluation.mmbench;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.aia4j.evaluation.io.Images;

/**
 * One row of an MMBench TSV: a multiple-choice question about one image.
 *
 * <p>Absent cells are empty strings (MMBench's NaN): an empty {@code hint} means no hint, an empty
 * {@code answer} an unlabelled row (MMBench's test split). {@code options} maps option letters to
 * their texts in letter order and holds only the options MMBench would show: the non-empty
 * {@code A}, {@code B}, ... cells.
 *
 * @param index the row's {@code index}; CircularEval copies are {@code group + k * 1_000_000}
 * @param image the base64-encoded PNG/JPEG, already resolved when the cell referred to another row
 */
public record MmbenchQuestion(
    long index,
    String question,
    String hint,
    Map<String, String> options,
    String answer,
    String category,
    String l2Category,
    String split,
    String image) {

  public MmbenchQuestion {
    Objects.requireNonNull(question, "question");
    hint = Objects.requireNonNullElse(hint, "");
    answer = Objects.requireNonNullElse(answer, "");
    category = Objects.requireNonNullElse(category, "");
    l2Category = Objects.requireNonNullElse(l2Category, "");
    split = Objects.requireNonNullElse(split, "");
    Objects.requireNonNull(image, "image");
    Map<String, String> copy = new LinkedHashMap<>();
    options.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> {
          if (!e.getKey().matches("[A-Z]")) {
            throw new IllegalArgumentException("Option labels are single letters A-Z, got '" + e.getKey() + "'");
          }
          copy.put(e.getKey(), Objects.requireNonNull(e.getValue(), "option " + e.getKey()));
        });
    options = Collections.unmodifiableMap(copy);
  }

  /** The CircularEval group this row belongs to: the index of its unrotated original. */
  public long group() {
    return CircularEval.groupOf(index);
  }

  /** Which rotation this row is: 0 for the original question, k for its k-th rotated copy. */
  public int rotation() {
    return CircularEval.rotationOf(index);
  }

  /** The prompt MMBench gives a model for this row (VLMEvalKit's {@code build_prompt}). */
  public String prompt() {
    return MmbenchPrompt.build(this);
  }

  /**
   * Decodes the image.
   *
   * @throws IOException naming this row's index if the cell is not a readable image
   */
  public BufferedImage decodeImage() throws IOException {
    return Images.fromBase64(image, "the image of row index " + index);
  }

  /** This row with another index, options and answer: what a CircularEval rotation changes. */
  MmbenchQuestion withRotation(long newIndex, Map<String, String> newOptions, String newAnswer) {
    return new MmbenchQuestion(newIndex, question, hint, newOptions, newAnswer, category, l2Category, split, image);
  }
}
