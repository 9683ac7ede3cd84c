package org.aia4j.inference.decode;

import java.util.List;
import org.aia4j.api.model.Task;

/**
 * A batch of sequences decoded one token at a time: feed the prefixes, then one token per row per
 * step, and read each row's next-token logits. Each backend implements it over its own engine
 * (a KV cache, all rows in one forward); {@link DecodingModel} drives it.
 */
public interface Decoding extends AutoCloseable {

  /**
   * Feeds the prefixes, one per row; may be called once.
   *
   * @param prefixes the rows' token ids, of any lengths {@code >= 1}
   * @return per row, the logits of the token after its prefix, {@code [rows][vocabulary]}
   */
  float[][] start(List<int[]> prefixes);

  /**
   * Appends one token to every row.
   *
   * @param tokens one id per row (rows that are finished may be fed anything, e.g. {@code <pad>})
   * @return per row, the logits of the token after it
   */
  float[][] next(int[] tokens);

  /**
   * Drops rows: from now on the decoding holds only {@code rows}, in that order, and {@link #next}
   * takes and returns one entry per kept row. Finished rows cost as much as open ones in every
   * forward, so a batch whose short answers are done decodes its long ones faster alone. A row's
   * logits do not depend on the other rows, so dropping rows changes no row's numbers.
   *
   * @param rows indices of the rows to keep, strictly increasing
   * @return false if this decoding cannot drop rows (then it keeps all of them)
   */
  default boolean keep(int[] rows) {
    return false;
  }

  /** Releases native memory. */
  @Override
  void close();

  /**
   * Makes a decoding for a batch of one task. A forked (UniFork) model decodes each task through
   * its own branch; a fully shared model ignores the task.
   */
  @FunctionalInterface
  interface Factory {
    /**
     * @param task the task whose branch the decoding runs through
     * @return a decoding, to be closed by the caller
     */
    Decoding open(Task task);
  }
}
