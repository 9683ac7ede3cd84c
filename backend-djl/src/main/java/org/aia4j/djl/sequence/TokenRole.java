package org.aia4j.djl.sequence;

/**
 * What a position of a built sequence holds. The AIA statistic picks its query and key sets by
 * role (DESIGN section 3): generation Q = {@link #IMAGE}, K = {@link #TEXT} (+ {@link #BOS} by
 * flag); understanding Q = {@link #ANSWER}, K = {@link #IMAGE}.
 *
 * <p>The ordinal is the code stored in {@link Batch#roles()}; never reorder.
 */
public enum TokenRole {
  /** Right padding in a batch. */
  PAD,
  /** The {@code <bos>} at position 0. */
  BOS,
  /** A prompt's text token (question or generation prompt). */
  TEXT,
  /** An image code. */
  IMAGE,
  /** A text token of an understanding answer. */
  ANSWER,
  /** Any other special: {@code <boi> <eoi> <answer> <eos>}. */
  SPECIAL
}
