package org.aia4j.djl.sequence;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.aia4j.api.interaction.InteractionRoles;
import org.aia4j.api.interaction.InteractionSets;
import org.aia4j.api.interaction.TokenRole;
import org.aia4j.api.model.Task;
import org.aia4j.inference.sequence.TokenSequence;

/**
 * A padded batch of one task, made by {@link BatchCollator}. Its arrays belong to the manager
 * given to the collator; {@link #close()} closes them.
 *
 * @param task the task of every sequence
 * @param tokens {@code (B, T)} int64 input ids, right-padded with {@code <pad>}
 * @param labels {@code (B, T)} int64 next-token targets ({@code <pad>} where there is no loss)
 * @param lossMask {@code (B, T)} float32 0/1: positions counting toward the token loss
 * @param roles {@code (B, T)} int32: each position's {@link TokenRole#code()}
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

  /** @return {@code (B, T)} role codes ({@link TokenRole#code()}), padding is {@link TokenRole#OTHER} */
  public int[][] roleCodes() {
    int[][] codes = new int[size()][length()];
    for (int i = 0; i < codes.length; i++) {
      TokenRole[] r = sequences.get(i).roles();
      for (int j = 0; j < r.length; j++) {
        codes[i][j] = r[j].code();
      }
    }
    return codes;
  }

  /**
   * The AIA query and key sets of this batch (DESIGN section 3), chosen by {@code roles}, the
   * one definition in the aia-loss module.
   */
  public InteractionSets interactionSets(InteractionRoles roles) {
    if (roles.task() != task) {
      throw new IllegalArgumentException("Roles for " + roles.task() + " asked of a " + task + " batch");
    }
    return roles.sets(roleCodes());
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
