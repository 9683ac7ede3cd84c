package org.aia4j.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.aia4j.api.interaction.InteractionRoles;
import org.aia4j.api.interaction.InteractionSets;
import org.aia4j.api.interaction.TokenRole;
import org.aia4j.api.model.Task;
import org.aia4j.testkit.GarbageCollection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Both paths of the statistic against the plain-Java reference on random maps: random roles
 * (so random query and key sets, empty ones included), left padding, several B, H, T.
 */
class InteractionStatisticTest {

  private static NDManager manager;

  @BeforeAll
  static void start() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void stop() {
    manager.close();
  }

  /** A random batch: roles with left padding, q and k, and everything derived from them. */
  record Batch(
      int b, int h, int t, int d, double scale, int[][] roles, double[][] keyPadding,
      double[][][][] q, double[][][][] k) {

    static Batch random(long seed, int b, int h, int t, int d) {
      Random random = new Random(seed);
      int[][] roles = new int[b][t];
      double[][] padding = new double[b][t];
      for (int i = 0; i < b; i++) {
        int pad = i == 0 ? 0 : random.nextInt(Math.max(1, t / 3));
        for (int j = 0; j < t; j++) {
          padding[i][j] = j < pad ? 0 : 1;
          roles[i][j] = j < pad ? TokenRole.OTHER.code() : random.nextInt(5);
        }
      }
      if (b > 1) {
        // Sample 1 has neither images nor answers: empty Q for both tasks.
        for (int j = 0; j < t; j++) {
          if (roles[1][j] == TokenRole.IMAGE.code() || roles[1][j] == TokenRole.ANSWER.code()) {
            roles[1][j] = TokenRole.TEXT.code();
          }
        }
      }
      return new Batch(b, h, t, d, 1 / Math.sqrt(d), roles, padding,
          Reference.random(random, b, h, t, d, 1.5), Reference.random(random, b, h, t, d, 1.5));
    }

    double[][][][] attention() {
      return Reference.attention(Reference.logits(q, k, scale), keyPadding);
    }
  }

  @ParameterizedTest(name = "B={0} H={1} T={2} d={3} {4}")
  @CsvSource({
    "1, 1, 4, 2, GENERATION", "1, 1, 4, 2, UNDERSTANDING",
    "2, 3, 7, 4, GENERATION", "2, 3, 7, 4, UNDERSTANDING",
    "3, 2, 12, 8, GENERATION", "3, 2, 12, 8, UNDERSTANDING",
    "4, 4, 20, 8, GENERATION", "4, 4, 20, 8, UNDERSTANDING"
  })
  void bothPathsMatchTheReference(int b, int h, int t, int d, Task task) {
    Batch batch = Batch.random(31L * b + t, b, h, t, d);
    InteractionSets sets = InteractionRoles.of(task).sets(batch.roles());
    double[][] queryMask = Reference.rows(sets.queryMask(), b, t);
    double[][] keyMask = Reference.rows(sets.keyMask(), b, t);
    double[][][][] attention = batch.attention();
    double[] expected = Reference.interaction(attention, queryMask, keyMask);

    for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
      double tolerance = type == DataType.FLOAT32 ? 1e-6 : 1e-12;
      try (NDManager scope = manager.newSubManager()) {
        NDArray full =
            InteractionStatistic.fromAttention(
                Reference.array(scope, attention, type),
                sets.queryMask(scope),
                sets.keyMask(scope));
        NDArray lean =
            InteractionStatistic.fromQueriesAndKeys(
                Reference.array(scope, batch.q(), type),
                Reference.array(scope, batch.k(), type),
                batch.scale(),
                sets.queryIndex(scope),
                sets.queryValid(scope),
                sets.keyMask(scope),
                Reference.array(scope, batch.keyPadding(), type));

        assertThat(full.getShape().dimension()).isEqualTo(1);
        assertThat(full.getDataType()).isEqualTo(type);
        assertThat(Reference.values(full)).as("path (a), %s", type)
            .containsExactly(expected, within(tolerance));
        assertThat(Reference.values(lean)).as("path (b), %s", type)
            .containsExactly(expected, within(tolerance));
      }
    }
    if (b > 1) {
      assertThat(expected[1]).as("empty Q gives 0").isZero();
      try (NDManager scope = manager.newSubManager()) {
        double[] has = Reference.values(InteractionStatistic.hasQueries(sets.queryValid(scope)));
        assertThat(has[1]).isZero();
        for (int i = 0; i < b; i++) {
          assertThat(has[i]).isEqualTo(sets.queryCount(i) > 0 ? 1.0 : 0.0);
        }
      }
    }
  }

  /** Path (b) without padding must equal path (a) on the map the same q, k give. */
  @Test
  void leanPathNeedsNoPaddingMask() {
    Batch batch = Batch.random(5, 2, 2, 9, 4);
    double[][] noPadding = new double[2][9];
    for (double[] row : noPadding) {
      java.util.Arrays.fill(row, 1);
    }
    int[][] roles = batch.roles();
    for (int[] row : roles) {
      java.util.Arrays.fill(row, 0, 3, TokenRole.TEXT.code()); // no padded positions now
    }
    InteractionSets sets = InteractionRoles.of(Task.UNDERSTANDING).sets(roles);
    double[] expected =
        Reference.interaction(
            Reference.attention(Reference.logits(batch.q(), batch.k(), batch.scale()), noPadding),
            Reference.rows(sets.queryMask(), 2, 9),
            Reference.rows(sets.keyMask(), 2, 9));
    try (NDManager scope = manager.newSubManager()) {
      NDArray lean =
          InteractionStatistic.fromQueriesAndKeys(
              Reference.array(scope, batch.q(), DataType.FLOAT64).mul(batch.scale()),
              Reference.array(scope, batch.k(), DataType.FLOAT64),
              1.0, // queries already scaled
              sets.queryIndex(scope),
              sets.queryValid(scope),
              sets.keyMask(scope),
              null);
      assertThat(Reference.values(lean)).containsExactly(expected, within(1e-12));
    }
  }

  /**
   * The lean path's gradients w.r.t. q and k equal those of the full map computed from the same
   * q and k (float64, 1e-12): the rows it leaves out do not reach the statistic.
   */
  @Test
  void leanPathHasTheFullMapsGradients() {
    int b = 3;
    int h = 2;
    int t = 10;
    int d = 4;
    Batch batch = Batch.random(11, b, h, t, d);
    InteractionSets sets = InteractionRoles.of(Task.GENERATION).sets(batch.roles());
    double[] sampleWeights = {0.7, -1.3, 2.1};
    try (NDManager scope = manager.newSubManager()) {
      NDArray weights = scope.create(sampleWeights);
      NDArray padding = Reference.array(scope, batch.keyPadding(), DataType.FLOAT64);

      NDArray q1 = Reference.array(scope, batch.q(), DataType.FLOAT64);
      NDArray k1 = Reference.array(scope, batch.k(), DataType.FLOAT64);
      q1.setRequiresGradient(true);
      k1.setRequiresGradient(true);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray logits = q1.matMul(k1.transpose(0, 1, 3, 2)).mul(batch.scale());
        NDArray positions = scope.arange(t).toType(DataType.INT64, false);
        NDArray visible =
            positions.reshape(1, 1, 1, t).lte(positions.reshape(1, 1, t, 1))
                .logicalAnd(padding.reshape(b, 1, 1, t).gt(0));
        NDArray attention =
            NDArrays.where(visible.broadcast(logits.getShape()), logits, scope.create(Reference.MASKED)).softmax(3);
        NDArray masses =
            InteractionStatistic.fromAttention(attention, sets.queryMask(scope), sets.keyMask(scope));
        collector.backward(masses.mul(weights).sum());
      }

      NDArray q2 = Reference.array(scope, batch.q(), DataType.FLOAT64);
      NDArray k2 = Reference.array(scope, batch.k(), DataType.FLOAT64);
      q2.setRequiresGradient(true);
      k2.setRequiresGradient(true);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray masses =
            InteractionStatistic.fromQueriesAndKeys(
                q2, k2, batch.scale(), sets.queryIndex(scope), sets.queryValid(scope),
                sets.keyMask(scope), padding);
        NDArray loss = masses.mul(weights).sum();
        // A collection between forward and backward must not change the gradients: every
        // constant the graph saved lives in engine memory (see Scalars).
        GarbageCollection.collectAndWait();
        collector.backward(loss);
      }

      double[] gq1 = Reference.values(q1.getGradient());
      double[] gk1 = Reference.values(k1.getGradient());
      assertThat(maxAbs(gq1)).as("the test exercises non-zero gradients").isGreaterThan(1e-3);
      assertThat(maxAbs(gk1)).isGreaterThan(1e-3);
      assertThat(Reference.values(q2.getGradient())).containsExactly(gq1, within(1e-12));
      assertThat(Reference.values(k2.getGradient())).containsExactly(gk1, within(1e-12));
    }
  }

  @Test
  void shapesAreChecked() {
    try (NDManager scope = manager.newSubManager()) {
      NDArray attention = scope.ones(new ai.djl.ndarray.types.Shape(2, 1, 3, 3));
      NDArray mask = scope.ones(new ai.djl.ndarray.types.Shape(2, 3));
      assertThatThrownBy(
              () -> InteractionStatistic.fromAttention(scope.ones(new ai.djl.ndarray.types.Shape(2, 3, 3)), mask, mask))
          .hasMessage("attention must be (B, H, T, T), got (2, 3, 3)");
      assertThatThrownBy(
              () -> InteractionStatistic.fromAttention(attention, mask, scope.ones(new ai.djl.ndarray.types.Shape(2, 4))))
          .hasMessage("keyMask must be (B, T) = (2, 3), got (2, 4)");
    }
  }

  static double maxAbs(double[] values) {
    double max = 0;
    for (double v : values) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }
}
