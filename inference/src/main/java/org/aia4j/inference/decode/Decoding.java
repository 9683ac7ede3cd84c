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

  /**
   * @return whether {@link #join} works: this decoding can take new rows while it runs
   */
  default boolean joins() {
    return false;
  }

  /**
   * Keeps {@code kept} rows, as {@link #keep} does, and appends a row per prefix, prefilled now:
   * the step of continuous batching where finished rows leave and new requests come in, the cache
   * rebuilt once for both. The new rows come after the kept ones, in order; cache slots that every
   * row pads are dropped. No row's logits change: a new row's are what it gets decoded alone. On a
   * decoding not yet started, with nothing kept, it is {@link #start}.
   *
   * @param kept indices of the rows to keep, strictly increasing
   * @param prefixes the new rows' token ids, each of length {@code >= 1}; may be empty
   * @return per new row, the logits of the token after its prefix
   * @throws UnsupportedOperationException if this decoding does not {@link #joins() join}
   */
  default float[][] join(int[] kept, List<int[]> prefixes) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot add rows to a running decode");
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
