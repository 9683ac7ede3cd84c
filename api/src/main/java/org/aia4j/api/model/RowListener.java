package org.aia4j.api.model;

/**
 * Follows one row of a {@link RollingBatch}: its tokens as they are decoded and its end. Called on
 * the thread that steps the batch, so every method must be quick.
 */
public interface RowListener {

  /** @param id the token: a text-tokenizer id for an answer, a raw id for a continuation */
  void onToken(int id);

  /**
   * Asked before each step: true stops the row (its client has gone); it then ends like a
   * finished one, with what it decoded so far.
   */
  default boolean stopped() {
    return false;
  }

  /**
   * The row has ended and left the batch.
   *
   * @param ids every token it was told, in order (a continuation's stop id, which ends it, is not one)
   * @param text the answer as the model's batch call would return it ({@link
   *     UnifiedModel#answer}); for a continuation, its ids decoded
   * @param budget the most tokens the row could take: an answer or continuation that used all of
   *     them was cut
   */
  void finished(int[] ids, String text, int budget);
}
