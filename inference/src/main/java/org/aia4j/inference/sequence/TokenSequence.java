package org.aia4j.inference.sequence;

import java.util.Arrays;
import java.util.Objects;
import org.aia4j.api.interaction.TokenRole;
import org.aia4j.api.model.Task;

/**
 * One training sequence in the unified vocabulary, as {@link SequenceBuilder} makes it.
 *
 * <p>Position {@code t} reads {@code tokens[t]} and is trained to predict {@code labels[t] =
 * tokens[t+1]} when {@code lossMask[t]}; the last label is {@code <pad>} without loss. Arrays are
 * not copied: treat them as read-only.
 *
 * @param task the task the sequence trains
 * @param tokens the input ids
 * @param labels the next-token targets
 * @param lossMask which positions count toward the token loss
 * @param roles what each position holds, for the AIA query/key sets
 * @param promptDropped true for a generation sequence whose prompt was removed (CFG); such a
 *     sequence gets no AIA term
 */
public record TokenSequence(
    Task task,
    int[] tokens,
    int[] labels,
    boolean[] lossMask,
    TokenRole[] roles,
    boolean promptDropped) {

  // Checks that all per-position arrays have one length.
  public TokenSequence {
    Objects.requireNonNull(task, "task must not be null");
    int n = tokens.length;
    if (n == 0) {
      throw new IllegalArgumentException("a sequence must not be empty");
    }
    if (labels.length != n || lossMask.length != n || roles.length != n) {
      throw new IllegalArgumentException(
          "tokens, labels, lossMask and roles must have one length, got "
              + n + ", " + labels.length + ", " + lossMask.length + ", " + roles.length);
    }
  }

  /** @return the number of positions */
  public int length() {
    return tokens.length;
  }

  /** @return the positions holding {@code role}, ascending */
  public int[] positions(TokenRole role) {
    int[] out = new int[roles.length];
    int count = 0;
    for (int t = 0; t < roles.length; t++) {
      if (roles[t] == role) {
        out[count++] = t;
      }
    }
    return Arrays.copyOf(out, count);
  }

  /** @return the positions with token loss, ascending */
  public int[] lossPositions() {
    int[] out = new int[lossMask.length];
    int count = 0;
    for (int t = 0; t < lossMask.length; t++) {
      if (lossMask[t]) {
        out[count++] = t;
      }
    }
    return Arrays.copyOf(out, count);
  }
}
