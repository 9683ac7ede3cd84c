package org.aia4j.inference.decode;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import org.aia4j.api.model.SamplingSettings;

/**
 * Continuations of raw-id prompts over any backend's {@link Decoding}: prefill every prompt, then
 * one token per row per step, each row with its own {@link TokenSampler} (seed {@code
 * sampling.seed() + row}); finished rows are dropped where the decoding can drop them.
 */
public final class TextCompletions {
  private TextCompletions() {}

  /**
   * Checks prompts against a model before any engine runs them.
   *
   * @throws IllegalArgumentException naming the problem: no prompts, an empty one, an id outside
   *     the vocabulary, or a prompt plus {@code maxTokens} longer than the model's positions
   */
  public static void checkPrompts(int[][] prompts, int maxTokens, int maxLength, int vocabSize) {
    if (prompts.length == 0) {
      throw new IllegalArgumentException("No prompts to continue");
    }
    if (maxTokens < 1) {
      throw new IllegalArgumentException("max tokens must be at least 1, got " + maxTokens);
    }
    for (int[] prompt : prompts) {
      if (prompt.length == 0) {
        throw new IllegalArgumentException("The prompt is empty: give at least one id");
      }
      if (prompt.length + maxTokens > maxLength) {
        throw new IllegalArgumentException("The prompt's " + prompt.length + " ids plus " + maxTokens
            + " new ones exceed the model's " + maxLength + " positions; shorten the prompt or lower --max-tokens");
      }
      for (int id : prompt) {
        if (id < 0 || id >= vocabSize) {
          throw new IllegalArgumentException("id " + id + " is outside the model's vocabulary [0, " + vocabSize + ")");
        }
      }
    }
  }

  /**
   * @param decoding a fresh decoding of the model; closed by the caller
   * @param prompts the rows' ids, each at least one
   * @param maxTokens the most ids per row, at least 1
   * @param stop the id that ends a row (kept in its result), if any
   * @return per row, its generated ids
   */
  public static int[][] complete(Decoding decoding, int[][] prompts, int maxTokens, SamplingSettings sampling,
      OptionalInt stop) {
    int rows = prompts.length;
    TokenSampler[] samplers = new TokenSampler[rows];
    for (int r = 0; r < rows; r++) {
      samplers[r] = new TokenSampler(sampling, sampling.seed() + r);
    }
    int[][] out = new int[rows][maxTokens];
    int[] lengths = new int[rows];
    boolean[] done = new boolean[rows];
    int[] rowOf = java.util.stream.IntStream.range(0, rows).toArray(); // decoding row -> prompt row
    float[][] logits = decoding.start(List.of(prompts));
    while (true) {
      int[] next = new int[rowOf.length];
      int open = 0;
      for (int i = 0; i < rowOf.length; i++) {
        int r = rowOf[i];
        if (done[r]) {
          next[i] = out[r][lengths[r] - 1]; // a finished row kept by the decoding: fed, ignored
          continue;
        }
        int id = samplers[r].pick(logits[i], null);
        next[i] = id;
        out[r][lengths[r]++] = id;
        done[r] = lengths[r] == maxTokens || (stop.isPresent() && id == stop.getAsInt());
        open += done[r] ? 0 : 1;
      }
      if (open == 0) {
        break;
      }
      if (open < rowOf.length) {
        int[] keep = new int[open];
        for (int i = 0, k = 0; i < rowOf.length; i++) {
          if (!done[rowOf[i]]) {
            keep[k++] = i;
          }
        }
        if (decoding.keep(keep)) {
          int[] kept = new int[open];
          int[] tokens = new int[open];
          for (int k = 0; k < open; k++) {
            kept[k] = rowOf[keep[k]];
            tokens[k] = next[keep[k]];
          }
          rowOf = kept;
          next = tokens;
        }
      }
      logits = decoding.next(next);
    }
    int[][] trimmed = new int[rows][];
    for (int r = 0; r < rows; r++) {
      trimmed[r] = Arrays.copyOf(out[r], lengths[r]);
    }
    return trimmed;
  }
}
