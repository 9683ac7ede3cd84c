package org.aia4j.djl.sequence;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.aia4j.api.model.Task;

/**
 * A padded batch of one task, made by {@link BatchCollator}. Its arrays belong to the manager
 * given to the collator; {@link #close()} closes them.
 *
 * @param task the task of every sequence
 * @param tokens {@code (B, T)} int64 input ids, right-padded with {@code <pad>}
 * @param labels {@code (B, T)} int64 next-token targets ({@code <pad>} where there is no loss)
 * @param lossMask {@code (B, T)} float32 0/1: positions counting toward the token loss
 * @param roles {@code (B, T)} int32: each position's {@link TokenRole#ordinal()}
 * @param promptDropped {@code (B)} float32 0/1: sequences whose prompt was dropped (CFG)
 * @param sequences the sequences, in batch order (their lengths are the unpadded lengths)
 */
public record Batch(
    Task task,
    NDArray tokens,
    NDArray labels,
    NDArray lossMask,
    NDArray roles,
    NDArray promptDropped,
    List<TokenSequence> sequences)
    implements AutoCloseable {

  /** @return the batch size {@code B} */
  public int size() {
    return sequences.size();
  }

  /** @return the padded length {@code T} */
  public int length() {
    return (int) tokens.getShape().get(1);
  }

  /**
   * @param selected the roles to select
   * @return {@code (B, T)} float32, 1 where a position's role is one of {@code selected}
   */
  public NDArray roleMask(Set<TokenRole> selected) {
    int b = size();
    int t = length();
    float[] mask = new float[b * t];
    for (int i = 0; i < b; i++) {
      TokenRole[] r = sequences.get(i).roles();
      for (int j = 0; j < r.length; j++) {
        if (selected.contains(r[j])) {
          mask[i * t + j] = 1f;
        }
      }
    }
    NDManager manager = tokens.getManager();
    return manager.create(mask, new Shape(b, t));
  }

  /**
   * The AIA query set of DESIGN section 3: image positions for generation, answer positions for
   * understanding.
   *
   * @return {@code (B, T)} float32 0/1
   */
  public NDArray queryMask() {
    return roleMask(
        task == Task.GENERATION ? EnumSet.of(TokenRole.IMAGE) : EnumSet.of(TokenRole.ANSWER));
  }

  /**
   * The AIA key set of DESIGN section 3: prompt text (and {@code <bos>} when {@code bosAsText},
   * as the paper's code counts it) for generation, image positions for understanding.
   *
   * @param bosAsText whether {@code <bos>} belongs to the prompt (generation only)
   * @return {@code (B, T)} float32 0/1
   */
  public NDArray keyMask(boolean bosAsText) {
    if (task == Task.UNDERSTANDING) {
      return roleMask(EnumSet.of(TokenRole.IMAGE));
    }
    return roleMask(
        bosAsText ? EnumSet.of(TokenRole.TEXT, TokenRole.BOS) : EnumSet.of(TokenRole.TEXT));
  }

  /** Closes the batch's arrays. */
  @Override
  public void close() {
    tokens.close();
    labels.close();
    lossMask.close();
    roles.close();
    promptDropped.close();
  }
}
