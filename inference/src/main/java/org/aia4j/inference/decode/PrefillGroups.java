package org.aia4j.inference.decode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * How a decoding splits the prefill of prefixes of different lengths into runs of similar lengths.
 *
 * <p>A batch padded to its longest prefix computes every padding slot as if it were a token: a
 * guided image's unconditional row ({@code <bos> <boi>}, 2 tokens) padded to a 37-token caption, or
 * 32 captions padded to the longest of them, spend most of the prefill's FLOPs on padding. Each
 * group here is prefilled on its own, padded only to its own longest prefix, and the caches are
 * then laid side by side. A run has a fixed cost too (launching its kernels, reading all weights
 * once), so the groups minimise {@code sum over groups of (runCost + rows * longest)}, in
 * token-slots: sorted by length, the best split into contiguous groups is a small dynamic
 * programme.
 *
 * @param groups the groups, each a list of row indices of the batch (ascending by prefix length);
 *     together every row exactly once
 * @param slots the token slots the groups compute, padding included
 * @param paddedSlots the token slots one batch padded to the longest prefix would compute
 */
public record PrefillGroups(List<int[]> groups, long slots, long paddedSlots) {

  /**
   * The fixed cost of one more run in token slots (about what a run's launch and weight reads
   * cost on a CPU for the preset models, measured with {@code --engine-option profile}).
   */
  public static final int RUN_COST_SLOTS = 16;

  /** Groups the prefixes by their lengths and {@link #RUN_COST_SLOTS}. */
  public static PrefillGroups of(List<int[]> prefixes) {
    return plan(prefixes.stream().mapToInt(p -> p.length).toArray());
  }

  /** Groups by {@link #RUN_COST_SLOTS}. */
  public static PrefillGroups plan(int[] lengths) {
    return plan(lengths, RUN_COST_SLOTS);
  }

  /**
   * The split into groups that computes the fewest slots plus {@code runCost} per group.
   *
   * @param lengths per row, its prefix length (at least 1)
   * @param runCost the fixed cost of a run, in token slots (at least 0)
   * @throws IllegalArgumentException for no rows, a length below 1 or a negative run cost
   */
  public static PrefillGroups plan(int[] lengths, int runCost) {
    if (lengths.length == 0) {
      throw new IllegalArgumentException("no prefixes to prefill");
    }
    if (runCost < 0) {
      throw new IllegalArgumentException("runCost must be >= 0, got " + runCost);
    }
    for (int length : lengths) {
      if (length < 1) {
        throw new IllegalArgumentException("every prefix needs a token, got lengths " + Arrays.toString(lengths));
      }
    }
    int n = lengths.length;
    // Stable sort by length, so equal lengths keep the batch's order (and so do their groups).
    int[] order = IntStream.range(0, n).boxed().sorted(Comparator.comparingInt(i -> lengths[i]))
        .mapToInt(Integer::intValue).toArray();
    // best[j]: the least cost of the j shortest rows; cut[j]: where their last group starts.
    long[] best = new long[n + 1];
    int[] cut = new int[n + 1];
    for (int j = 1; j <= n; j++) {
      best[j] = Long.MAX_VALUE;
      long longest = lengths[order[j - 1]];
      for (int i = 0; i < j; i++) {
        long cost = best[i] + runCost + (j - i) * longest;
        if (cost < best[j]) {
          best[j] = cost;
          cut[j] = i;
        }
      }
    }
    List<int[]> groups = new ArrayList<>();
    long slots = 0;
    for (int j = n; j > 0; j = cut[j]) {
      groups.add(0, Arrays.copyOfRange(order, cut[j], j));
      slots += (long) (j - cut[j]) * lengths[order[j - 1]];
    }
    long padded = (long) n * Arrays.stream(lengths).max().orElseThrow();
    return new PrefillGroups(List.copyOf(groups), slots, padded);
  }

  /** One group's prefill, as a decoding runs it. */
  @FunctionalInterface
  public interface GroupPrefill {
    /**
     * @param rows the group's rows of the batch
     * @param batch the group's prefixes, left-padded to the group's longest
     * @return each of the group's rows' last logits, in the group's order
     */
    float[][] prefill(int[] rows, LeftPadding batch);
  }

  /**
   * Prefills every group with {@code each}.
   *
   * @param prefixes the batch's prefixes, whose lengths this plan was made for
   * @return every row's last logits, in the batch's order
   */
  public float[][] prefill(List<int[]> prefixes, GroupPrefill each) {
    float[][] logits = new float[prefixes.size()][];
    for (int[] group : groups) {
      List<int[]> part = new ArrayList<>(group.length);
      for (int row : group) {
        part.add(prefixes.get(row));
      }
      float[][] partLogits = each.prefill(group, LeftPadding.of(part));
      for (int k = 0; k < group.length; k++) {
        logits[group[k]] = partLogits[k];
      }
    }
    return logits;
  }

  /** @return true when one run, padded to the longest prefix, is the plan */
  public boolean single() {
    return groups.size() == 1;
  }
}
