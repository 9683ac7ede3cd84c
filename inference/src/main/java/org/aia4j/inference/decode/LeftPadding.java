package org.aia4j.inference.decode;

import java.util.List;
import org.aia4j.inference.sequence.TokenLayout;

/**
 * Prefixes of different lengths as one {@code (rows, length)} batch, each left-padded with
 * {@code <pad>} to the longest, so every row's next token is in the last column. Positions count
 * from a row's first real token; padding slots are masked as keys by the decodings.
 *
 * @param rows the number of prefixes
 * @param length the longest prefix
 * @param padding per row, the padding slots before its first real token
 * @param ids {@code rows * length} token ids, row-major
 */
public record LeftPadding(int rows, int length, int[] padding, long[] ids) {

  /** Pads the prefixes, each of at least one token. */
  public static LeftPadding of(List<int[]> prefixes) {
    int rows = prefixes.size();
    int longest = prefixes.stream().mapToInt(p -> p.length).max().orElseThrow();
    int[] padding = new int[rows];
    long[] ids = new long[rows * longest];
    for (int b = 0; b < rows; b++) {
      int[] prefix = prefixes.get(b);
      padding[b] = longest - prefix.length;
      for (int i = 0; i < longest; i++) {
        ids[b * longest + i] = i < padding[b] ? TokenLayout.PAD : prefix[i - padding[b]];
      }
    }
    return new LeftPadding(rows, longest, padding, ids);
  }

  /**
   * The padding of the rows a decoding keeps ({@link Decoding#keep}).
   *
   * @param padding per row of the batch, its padding slots
   * @param kept the rows to keep: strictly increasing indices below {@code padding.length}
   * @return per kept row, its padding
   * @throws IllegalArgumentException if {@code kept} is not such a list of indices
   */
  public static int[] kept(int[] padding, int[] kept) {
    int[] selected = new int[kept.length];
    for (int k = 0; k < kept.length; k++) {
      if (kept[k] < 0 || kept[k] >= padding.length || (k > 0 && kept[k] <= kept[k - 1])) {
        throw new IllegalArgumentException("rows to keep must be increasing indices below " + padding.length
            + ", got " + java.util.Arrays.toString(kept));
      }
      selected[k] = padding[kept[k]];
    }
    return selected;
  }

  /** @return every slot's position, {@code rows * length}, row-major (see {@link #position}) */
  public long[] positions() {
    long[] positions = new long[rows * length];
    for (int b = 0; b < rows; b++) {
      for (int i = 0; i < length; i++) {
        positions[b * length + i] = position(b, i);
      }
    }
    return positions;
  }

  /** @return the position of slot {@code slot} of row {@code row}: {@code max(0, slot - padding)} */
  public long position(int row, int slot) {
    return Math.max(0, slot - padding[row]);
  }
}
