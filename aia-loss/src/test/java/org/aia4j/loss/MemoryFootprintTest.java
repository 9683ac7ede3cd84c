package org.aia4j.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.Random;
import org.aia4j.api.interaction.InteractionRoles;
import org.aia4j.api.interaction.InteractionSets;
import org.aia4j.api.interaction.TokenRole;
import org.aia4j.api.model.Task;
import org.junit.jupiter.api.Test;

/**
 * What the lean path saves on the reference model's batches (DESIGN section 6: batch 32, 4
 * heads): attention floats per layer of the full map against the gathered query rows, and both
 * paths agreeing on those batches.
 */
class MemoryFootprintTest {

  private static final int BATCH = 32;
  private static final int HEADS = 4;
  private static final int DIM = 32;

  /** {@code <bos> <boi> image(64) <eoi> question(20) <answer> answer(1) <eos>}: 90 tokens. */
  static int[] understanding() {
    int[] roles = new int[90];
    roles[0] = TokenRole.BOS.code();
    Arrays.fill(roles, 2, 66, TokenRole.IMAGE.code());
    Arrays.fill(roles, 67, 87, TokenRole.TEXT.code());
    roles[88] = TokenRole.ANSWER.code();
    return roles;
  }

  /** {@code <bos> prompt(12) <boi> image(64) <eoi> <eos>}: 80 tokens. */
  static int[] generation() {
    int[] roles = new int[80];
    roles[0] = TokenRole.BOS.code();
    Arrays.fill(roles, 1, 13, TokenRole.TEXT.code());
    Arrays.fill(roles, 14, 78, TokenRole.IMAGE.code());
    return roles;
  }

  @Test
  void leanPathMaterialisesOnlyTheQueryRows() {
    for (Task task : Task.values()) {
      int[] layout = task == Task.GENERATION ? generation() : understanding();
      int[][] roles = new int[BATCH][];
      Arrays.fill(roles, layout);
      InteractionSets sets = InteractionRoles.of(task).sets(roles);
      long[] floats = sets.attentionFloats(HEADS);
      System.out.printf(
          "%s batch B=%d H=%d T=%d Qmax=%d: full (B,H,T,T) %,d floats = %.2f MiB fp32;"
              + " lean (B,H,Qmax,T) %,d floats = %.2f MiB; %.1f%% of the full map per layer%n",
          task.shortName(), BATCH, HEADS, sets.length(), sets.queryMax(), floats[0],
          floats[0] * 4 / 1048576.0, floats[1], floats[1] * 4 / 1048576.0,
          100.0 * floats[1] / floats[0]);
      if (task == Task.UNDERSTANDING) {
        assertThat(sets.queryMax()).isEqualTo(1);
        assertThat(floats[0]).isEqualTo(90L * floats[1]);
      } else {
        assertThat(sets.queryMax()).isEqualTo(64);
        assertThat(floats[1] * 80).isEqualTo(floats[0] * 64);
      }
      checkPathsAgree(sets, task.ordinal());
    }
  }

  private static void checkPathsAgree(InteractionSets sets, long seed) {
    int t = sets.length();
    Random random = new Random(seed);
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray q = m.randomNormal(new ai.djl.ndarray.types.Shape(BATCH, HEADS, t, DIM));
      NDArray k = m.randomNormal(new ai.djl.ndarray.types.Shape(BATCH, HEADS, t, DIM));
      double scale = 1 / Math.sqrt(DIM) * (1 + random.nextDouble());
      NDArray positions = m.arange(t).toType(DataType.INT64, false);
      NDArray causal = positions.reshape(1, 1, 1, t).lte(positions.reshape(1, 1, t, 1));
      NDArray logits = q.matMul(k.transpose(0, 1, 3, 2)).mul(scale);
      NDArray attention =
          logits.add(causal.toType(DataType.FLOAT32, false).sub(1).mul(1e9)).softmax(3);
      double[] full =
          Reference.values(
              InteractionStatistic.fromAttention(attention, sets.queryMask(m), sets.keyMask(m)));
      double[] lean =
          Reference.values(
              InteractionStatistic.fromQueriesAndKeys(
                  q, k, scale, sets.queryIndex(m), sets.queryValid(m), sets.keyMask(m), null));
      assertThat(lean).containsExactly(full, within(1e-6));
    }
  }
}
