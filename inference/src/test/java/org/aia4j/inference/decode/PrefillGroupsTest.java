package org.aia4j.inference.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PrefillGroupsTest {

  @Test
  void guidedImagesPrefillTheirUnconditionalRowsApart() {
    // 4 captions of 20-37 tokens and their 4 unconditional rows of 2 tokens, as a guided batch is laid out.
    int[] lengths = {20, 37, 33, 30, 2, 2, 2, 2};
    PrefillGroups plan = PrefillGroups.plan(lengths, 24);
    assertThat(plan.groups()).hasSize(2);
    assertThat(plan.groups().get(0)).containsExactly(4, 5, 6, 7);
    assertThat(plan.groups().get(1)).containsExactly(0, 3, 2, 1);
    assertThat(plan.slots()).isEqualTo(4 * 2 + 4 * 37);
    assertThat(plan.paddedSlots()).isEqualTo(8 * 37);
  }

  @Test
  void prefillRunsEachGroupPaddedToItsOwnLongestAndReturnsLogitsInBatchOrder() {
    List<int[]> prefixes = List.of(new int[] {5, 6, 7, 8, 9}, new int[] {1, 2}, new int[] {3, 4, 5, 6}, new int[] {9, 9});
    PrefillGroups plan = PrefillGroups.plan(prefixes.stream().mapToInt(p -> p.length).toArray(), 0);
    List<Integer> widths = new ArrayList<>();
    float[][] logits = plan.prefill(prefixes, (rows, batch) -> {
      widths.add(batch.length());
      float[][] out = new float[rows.length][];
      for (int k = 0; k < rows.length; k++) {
        // "Logits" that name the row's last token and its padding within the group.
        out[k] = new float[] {batch.ids()[(k + 1) * batch.length() - 1], batch.padding()[k]};
      }
      return out;
    });
    assertThat(widths).containsExactly(2, 4, 5);
    assertThat(logits).hasNumberOfRows(4);
    assertThat(logits[0]).containsExactly(9f, 0f);
    assertThat(logits[1]).containsExactly(2f, 0f);
    assertThat(logits[2]).containsExactly(6f, 0f);
    assertThat(logits[3]).containsExactly(9f, 0f);
  }

  @Test
  void equalLengthsOrAHighRunCostMakeOneRun() {
    assertThat(PrefillGroups.plan(new int[] {9, 9, 9}, 0).single()).isTrue();
    PrefillGroups one = PrefillGroups.plan(new int[] {30, 2}, 1000);
    assertThat(one.single()).isTrue();
    assertThat(one.slots()).isEqualTo(one.paddedSlots()).isEqualTo(60);
    // With no run cost every distinct length is its own run and no slot is padding.
    PrefillGroups free = PrefillGroups.plan(new int[] {5, 3, 5, 1}, 0);
    assertThat(free.groups()).hasSize(3);
    assertThat(free.slots()).isEqualTo(14);
  }

  @Test
  void theSplitIsTheCheapestOfAllContiguousSplits() {
    Random random = new Random(7);
    for (int trial = 0; trial < 200; trial++) {
      int[] lengths = IntStream.range(0, 1 + random.nextInt(9)).map(i -> 1 + random.nextInt(40)).toArray();
      int runCost = random.nextInt(30);
      PrefillGroups plan = PrefillGroups.plan(lengths, runCost);
      // Every row exactly once.
      assertThat(plan.groups().stream().flatMapToInt(Arrays::stream).sorted().toArray())
          .containsExactly(IntStream.range(0, lengths.length).toArray());
      long cost = plan.groups().size() * (long) runCost + plan.slots();
      assertThat(cost).as(Arrays.toString(lengths) + " run cost " + runCost).isEqualTo(bruteForce(lengths, runCost));
      long slots = 0;
      for (int[] group : plan.groups()) {
        slots += (long) group.length * Arrays.stream(group).map(i -> lengths[i]).max().orElseThrow();
      }
      assertThat(plan.slots()).isEqualTo(slots).isLessThanOrEqualTo(plan.paddedSlots());
    }
  }

  /** The least cost over every split of the sorted lengths into contiguous groups (2^(n-1) of them). */
  private static long bruteForce(int[] lengths, int runCost) {
    int[] sorted = lengths.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    long best = Long.MAX_VALUE;
    for (int mask = 0; mask < 1 << (n - 1); mask++) {
      List<Integer> ends = new ArrayList<>();
      for (int i = 0; i < n - 1; i++) {
        if ((mask & (1 << i)) != 0) {
          ends.add(i);
        }
      }
      ends.add(n - 1);
      long cost = 0;
      int start = 0;
      for (int end : ends) {
        cost += runCost + (long) (end - start + 1) * sorted[end];
        start = end + 1;
      }
      best = Math.min(best, cost);
    }
    return best;
  }

  @Test
  void badInputIsRefusedWithTheReason() {
    assertThatThrownBy(() -> PrefillGroups.plan(new int[0])).hasMessage("no prefixes to prefill");
    assertThatThrownBy(() -> PrefillGroups.plan(new int[] {3, 0}))
        .hasMessage("every prefix needs a token, got lengths [3, 0]");
    assertThatThrownBy(() -> PrefillGroups.plan(new int[] {3}, -1)).hasMessage("runCost must be >= 0, got -1");
  }
}
