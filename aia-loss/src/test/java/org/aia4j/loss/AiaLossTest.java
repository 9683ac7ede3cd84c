package org.aia4j.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.aia4j.api.interaction.AnswerQueries;
import org.aia4j.api.interaction.InteractionRoles;
import org.aia4j.api.interaction.InteractionSets;
import org.aia4j.api.interaction.TokenRole;
import org.aia4j.api.loss.LossInputs;
import org.aia4j.api.model.Task;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Values by hand, CFG-dropped samples, the empty case, and gradients by finite differences. */
class AiaLossTest {

  /** Central-difference step; with float64 the truncation error is about eps^2 = 1e-12. */
  private static final double EPS = 1e-6;
  /** Largest |autograd - finite difference| accepted (float64). */
  private static final double GRADIENT_TOLERANCE = 1e-8;

  private static NDManager manager;

  @BeforeAll
  static void start() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void stop() {
    manager.close();
  }

  /** Same stages for both tasks, one per layer, absolute. */
  private static StageSchedule perLayer(double lambda, double[] delta, double[] target) {
    List<Stage> stages = new ArrayList<>();
    for (int l = 0; l < delta.length; l++) {
      stages.add(new Stage(l, l + 1, delta[l], target[l]));
    }
    return new StageSchedule(
        StageSchedule.Mode.ABSOLUTE,
        delta.length,
        new TaskSchedule(lambda, stages),
        new TaskSchedule(lambda, stages));
  }

  /** Inputs with placeholder logits and labels: the AIA loss reads only masses and masks. */
  private static LossInputs inputs(
      NDManager m, Task task, float[] labelMask, int t, NDList masses, NDArray dropped) {
    int b = labelMask.length / t;
    return new LossInputs(
        task,
        m.zeros(new Shape(b, t, 7)),
        m.zeros(new Shape(b, t), DataType.INT64),
        m.create(labelMask, new Shape(b, t)),
        masses,
        dropped);
  }

  @Test
  void craftedMapGivesTheLossComputedByHand() {
    // One understanding sample, 2 heads, T = 4: <image> <image> <answer-marker> answer.
    int[][] roles = {{TokenRole.IMAGE.code(), TokenRole.IMAGE.code(), 0, TokenRole.ANSWER.code()}};
    InteractionSets sets = InteractionRoles.of(Task.UNDERSTANDING).sets(roles);
    double[] lower = {1, 0, 0, 0, 0.5, 0.5, 0, 0, 0.2, 0.3, 0.5, 0};
    // Layer 0: the answer row puts 0.3 + 0.2 = 0.5 (head 0) and 0.1 + 0.4 = 0.5 (head 1) on K.
    // Layer 1: 0.6 + 0.3 = 0.9 and 0.5 + 0.4 = 0.9.
    double[][] answerRows = {{0.3, 0.2, 0.1, 0.4}, {0.1, 0.4, 0.2, 0.3}, {0.6, 0.3, 0, 0.1},
        {0.5, 0.4, 0.05, 0.05}};
    try (NDManager m = manager.newSubManager()) {
      NDList masses = new NDList();
      for (int l = 0; l < 2; l++) {
        double[] map = new double[2 * 16];
        for (int head = 0; head < 2; head++) {
          System.arraycopy(lower, 0, map, head * 16, 12);
          System.arraycopy(answerRows[2 * l + head], 0, map, head * 16 + 12, 4);
        }
        NDArray attention = m.create(map, new Shape(1, 2, 4, 4));
        masses.add(InteractionStatistic.fromAttention(attention, sets.queryMask(m), sets.keyMask(m)));
      }
      // Target 0.4, delta 0.2: layer 0 is 0.1 off (quadratic: 0.1^2/2 = 0.005), layer 1 is 0.5
      // off (linear: 0.2 * (0.5 - 0.1) = 0.08). Mean 0.0425; lambda 10 gives 0.425.
      AiaLoss loss = new AiaLoss(perLayer(10, new double[] {0.2, 0.2}, new double[] {0.4, 0.4}), true);
      AiaTerms terms =
          loss.evaluate(inputs(m, Task.UNDERSTANDING, new float[] {0, 0, 1, 0}, 4, masses, null));

      assertThat(Reference.values(terms.layerMeans())).containsExactly(new double[] {0.5, 0.9}, within(1e-12));
      assertThat(terms.unweighted().getDouble()).isCloseTo(0.0425, within(1e-12));
      assertThat(terms.weighted().getDouble()).isCloseTo(0.425, within(1e-12));
      assertThat(terms.weighted().getShape()).isEqualTo(new Shape());
      assertThat(terms.qualifying().getDouble()).isEqualTo(1.0);
      assertThat(terms.lambda()).isEqualTo(10.0);
      assertThat(
              loss.compute(inputs(m, Task.UNDERSTANDING, new float[] {0, 0, 1, 0}, 4, masses, null))
                  .getDouble())
          .isCloseTo(0.425, within(1e-12));
    }
  }

  @Test
  void perSampleHuberDoesNotLetSamplesOffInOppositeDirectionsCancel() {
    // One layer, target 0.4, delta 0.1; two samples at 0.2 and 0.6, a third (dropped) at 0.9.
    // Per sample: each is 0.2 off, linear branch 0.1 * (0.2 - 0.05) = 0.015; mean 0.015, x 2 = 0.03.
    // Batch mean: (0.2 + 0.6) / 2 = 0.4 is on target: 0. Gradients per sample: +-0.1 / 2 x 2.
    StageSchedule schedule = perLayer(2, new double[] {0.1}, new double[] {0.4});
    AiaLoss perSample = new AiaLoss(schedule, AiaOptions.DEFAULTS);
    AiaLoss batchMean = new AiaLoss(schedule, AiaOptions.DEFAULTS.withAggregation(AiaOptions.Aggregation.BATCH_MEAN));
    assertThat(perSample.options().aggregation()).isEqualTo(AiaOptions.Aggregation.PER_SAMPLE);
    try (NDManager m = manager.newSubManager()) {
      NDArray mass = m.create(new double[] {0.2, 0.6, 0.9});
      mass.setRequiresGradient(true);
      NDArray qualifies = m.create(new double[] {1, 1, 0});
      AiaTerms terms;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        terms = perSample.evaluate(Task.UNDERSTANDING, new NDList(mass), qualifies);
        collector.backward(terms.weighted());
      }
      assertThat(terms.unweighted().getDouble()).isCloseTo(0.015, within(1e-12));
      assertThat(terms.weighted().getDouble()).isCloseTo(0.03, within(1e-12));
      assertThat(Reference.values(terms.layerMeans())).containsExactly(new double[] {0.4}, within(1e-12));
      assertThat(Reference.values(mass.getGradient())).containsExactly(new double[] {-0.1, 0.1, 0}, within(1e-12));

      NDArray again = m.create(new double[] {0.2, 0.6, 0.9});
      again.setRequiresGradient(true);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        AiaTerms mean = batchMean.evaluate(Task.UNDERSTANDING, new NDList(again), qualifies);
        assertThat(mean.weighted().getDouble()).isCloseTo(0.0, within(1e-12));
        collector.backward(mean.weighted());
      }
      assertThat(Reference.values(again.getGradient())).containsExactly(new double[] {0, 0, 0}, within(1e-12));
    }
  }

  @Test
  void batchMeanGradientMatchesFiniteDifferencesOfItsReference() {
    Random random = new Random(5);
    double[][] mass = new double[2][5];
    for (double[] row : mass) {
      for (int i = 0; i < row.length; i++) {
        row[i] = random.nextDouble();
      }
    }
    double[] qualifies = {1, 0, 1, 1, 1};
    double[] delta = {0.1, 0.1};
    double[] target = targetsAt(mass, qualifies, new double[] {0.04, 0.25});
    AiaLoss loss = new AiaLoss(perLayer(3, delta, target),
        AiaOptions.DEFAULTS.withAggregation(AiaOptions.Aggregation.BATCH_MEAN));
    try (NDManager m = manager.newSubManager()) {
      NDList masses = new NDList();
      for (double[] row : mass) {
        NDArray a = m.create(row);
        a.setRequiresGradient(true);
        masses.add(a);
      }
      double value;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray result = loss.evaluate(Task.GENERATION, masses, m.create(qualifies)).weighted();
        value = result.getDouble();
        collector.backward(result);
      }
      assertThat(value).isCloseTo(Reference.lossOfBatchMean(mass, qualifies, delta, target, 3), within(1e-12));
      assertThat(value).as("the per-sample reference differs on these masses")
          .isNotCloseTo(Reference.loss(mass, qualifies, delta, target, 3), within(1e-6));
      for (int l = 0; l < 2; l++) {
        double[] gradient = Reference.values(masses.get(l).getGradient());
        for (int i = 0; i < 5; i++) {
          double saved = mass[l][i];
          mass[l][i] = saved + EPS;
          double plus = Reference.lossOfBatchMean(mass, qualifies, delta, target, 3);
          mass[l][i] = saved - EPS;
          double minus = Reference.lossOfBatchMean(mass, qualifies, delta, target, 3);
          mass[l][i] = saved;
          assertThat(gradient[i]).as("dL/dI[%d][%d]", l, i)
              .isCloseTo((plus - minus) / (2 * EPS), within(GRADIENT_TOLERANCE));
        }
      }
    }
  }

  @Test
  void rolesFollowTheOptions() {
    AiaLoss loss = new AiaLoss(StageSchedule.paperDefault(),
        new AiaOptions(AiaOptions.Aggregation.PER_SAMPLE, false, AnswerQueries.PREDICTORS));
    assertThat(loss.roles(Task.GENERATION)).isEqualTo(new InteractionRoles(Task.GENERATION, false, AnswerQueries.PREDICTORS));
    assertThat(loss.roles(Task.UNDERSTANDING).answerQueries()).isEqualTo(AnswerQueries.PREDICTORS);
    assertThat(AiaLoss.paperDefault().roles(Task.GENERATION)).isEqualTo(InteractionRoles.of(Task.GENERATION));
  }

  @Test
  void promptDroppedSamplesGetNoTerm() {
    double[][] mass = {{0.40, 0.99, 0.20, 0.50}, {0.10, 0.00, 0.35, 0.30}};
    double[] delta = {0.1, 0.1};
    double[] target = {0.2, 0.4};
    AiaLoss loss = new AiaLoss(perLayer(5, delta, target), true);
    try (NDManager m = manager.newSubManager()) {
      NDList masses = new NDList(m.create(mass[0]), m.create(mass[1]));
      for (NDArray a : masses) {
        a.setRequiresGradient(true);
      }
      NDArray dropped = m.create(new boolean[] {false, true, false, false});
      // Sample 3 has no supervised position (no queries): it does not count either.
      float[] labelMask = {1, 1, 0, 1, 1, 0, 0, 1, 0};
      double value;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray result = loss.compute(inputs(m, Task.GENERATION, padTo(labelMask, 4, 3), 3, masses, dropped));
        value = result.getDouble();
        collector.backward(result);
      }
      double expected =
          Reference.loss(mass, new double[] {1, 0, 1, 0}, delta, target, 5);
      double[][] kept = {{0.40, 0.20}, {0.10, 0.35}};
      assertThat(value).isCloseTo(expected, within(1e-12));
      assertThat(value)
          .as("same as the batch without the dropped and the empty sample")
          .isCloseTo(Reference.loss(kept, new double[] {1, 1}, delta, target, 5), within(1e-12));
      for (NDArray a : masses) {
        double[] gradient = Reference.values(a.getGradient());
        assertThat(gradient[1]).as("dropped sample").isZero();
        assertThat(gradient[3]).as("sample without queries").isZero();
        assertThat(gradient[0]).isNotZero();
      }
    }
  }

  /** Spreads a (3 samples x 3) mask into 4 samples x 3 positions; sample 3 gets none. */
  private static float[] padTo(float[] mask, int samples, int t) {
    float[] out = new float[samples * t];
    System.arraycopy(mask, 0, out, 0, mask.length);
    return out;
  }

  @Test
  void noQualifyingSampleGivesAZeroScalarWithZeroGradient() {
    AiaLoss loss = AiaLoss.paperDefault();
    try (NDManager m = manager.newSubManager()) {
      NDList masses = new NDList();
      for (int l = 0; l < 4; l++) {
        NDArray a = m.create(new float[] {0.9f, 0.1f});
        a.setRequiresGradient(true);
        masses.add(a);
      }
      NDArray dropped = m.create(new float[] {1, 1});
      AiaTerms terms;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        terms = loss.evaluate(inputs(m, Task.GENERATION, new float[] {1, 1, 1, 1}, 2, masses, dropped));
        collector.backward(terms.weighted());
      }
      assertThat(terms.weighted().getShape()).isEqualTo(new Shape());
      assertThat(terms.weighted().getDataType()).as("the masses' type").isEqualTo(DataType.FLOAT32);
      assertThat(terms.weighted().getFloat()).isZero();
      assertThat(terms.unweighted().getFloat()).isZero();
      assertThat(terms.qualifying().getFloat()).isZero();
      for (NDArray a : masses) {
        assertThat(Reference.values(a.getGradient())).containsExactly(new double[] {0, 0}, within(0.0));
      }
    }
  }

  @Test
  void inputsWithoutMassesAreRejected() {
    try (NDManager m = manager.newSubManager()) {
      LossInputs plain = inputs(m, Task.UNDERSTANDING, new float[] {0, 1}, 2, null, null);
      assertThatThrownBy(() -> AiaLoss.paperDefault().compute(plain))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "The AIA loss needs the interaction masses I_l of every layer, but this und batch "
                  + "has none: the model's forward pass must compute them");
    }
  }

  @Test
  void gradientWithRespectToTheMassesMatchesFiniteDifferences() {
    Random random = new Random(3);
    int layers = 3;
    int b = 4;
    double[][] mass = new double[layers][b];
    for (double[] row : mass) {
      for (int i = 0; i < b; i++) {
        row[i] = random.nextDouble();
      }
    }
    double[] qualifies = {1, 1, 0, 1};
    // Deviations: layer 0 quadratic (0.03 < 0.1), layers 1 and 2 linear (0.3, 0.15 > 0.1).
    double[] delta = {0.1, 0.1, 0.1};
    double[] target = targetsAt(mass, qualifies, new double[] {0.03, 0.3, 0.15});
    double lambda = 5;
    AiaLoss loss = new AiaLoss(perLayer(lambda, delta, target), true);
    try (NDManager m = manager.newSubManager()) {
      NDList masses = new NDList();
      for (double[] row : mass) {
        NDArray a = m.create(row);
        a.setRequiresGradient(true);
        masses.add(a);
      }
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        collector.backward(loss.evaluate(Task.GENERATION, masses, m.create(qualifies)).weighted());
      }
      double worst = 0;
      for (int l = 0; l < layers; l++) {
        double[] gradient = Reference.values(masses.get(l).getGradient());
        for (int i = 0; i < b; i++) {
          double saved = mass[l][i];
          mass[l][i] = saved + EPS;
          double plus = Reference.loss(mass, qualifies, delta, target, lambda);
          mass[l][i] = saved - EPS;
          double minus = Reference.loss(mass, qualifies, delta, target, lambda);
          mass[l][i] = saved;
          worst = Math.max(worst, Math.abs(gradient[i] - (plus - minus) / (2 * EPS)));
          assertThat(gradient[i])
              .as("dL/dI[%d][%d]", l, i)
              .isCloseTo((plus - minus) / (2 * EPS), within(GRADIENT_TOLERANCE));
        }
      }
      System.out.printf("dL/dI: max |autograd - finite difference| = %.2e%n", worst);
    }
  }

  /**
   * End to end through the softmax: dL/dS for the attention logits S of two layers, autograd
   * (float64) against central differences of the plain-Java reference.
   */
  @Test
  void gradientWithRespectToTheAttentionLogitsMatchesFiniteDifferences() {
    int b = 2;
    int h = 2;
    int t = 6;
    Random random = new Random(17);
    int[][] roles = {
      {TokenRole.BOS.code(), TokenRole.TEXT.code(), TokenRole.TEXT.code(), 0,
          TokenRole.IMAGE.code(), TokenRole.IMAGE.code()},
      {TokenRole.BOS.code(), TokenRole.TEXT.code(), 0, TokenRole.IMAGE.code(),
          TokenRole.IMAGE.code(), TokenRole.IMAGE.code()}
    };
    InteractionSets sets = InteractionRoles.of(Task.GENERATION).sets(roles);
    double[][] queryMask = Reference.rows(sets.queryMask(), b, t);
    double[][] keyMask = Reference.rows(sets.keyMask(), b, t);
    double[][][][][] logits = {
      Reference.random(random, b, h, t, t, 1.0), Reference.random(random, b, h, t, t, 1.0)
    };
    double[] qualifies = {1, 1};
    double[][] mass = referenceMasses(logits, queryMask, keyMask);
    double[] delta = {0.05, 0.05};
    double[] target = targetsAt(mass, qualifies, new double[] {0.02, 0.2}); // both branches
    double lambda = 10;
    AiaLoss loss = new AiaLoss(perLayer(lambda, delta, target), true);

    try (NDManager m = manager.newSubManager()) {
      NDList masses = new NDList();
      List<NDArray> leaves = new ArrayList<>();
      NDArray positions = m.arange(t).toType(DataType.INT64, false);
      NDArray causal = positions.reshape(1, 1, 1, t).lte(positions.reshape(1, 1, t, 1));
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        for (double[][][][] layer : logits) {
          NDArray s = Reference.array(m, layer, DataType.FLOAT64);
          s.setRequiresGradient(true);
          leaves.add(s);
          NDArray attention =
              NDArrays.where(causal.broadcast(s.getShape()), s, m.create(Reference.MASKED))
                  .softmax(3);
          masses.add(
              InteractionStatistic.fromAttention(attention, sets.queryMask(m), sets.keyMask(m)));
        }
        collector.backward(loss.evaluate(Task.GENERATION, masses, m.create(qualifies)).weighted());
      }
      double worst = 0;
      for (int l = 0; l < 2; l++) {
        double[] gradient = Reference.values(leaves.get(l).getGradient());
        int n = 0;
        for (int i = 0; i < b; i++) {
          for (int j = 0; j < h; j++) {
            for (int x = 0; x < t; x++) {
              for (int y = 0; y < t; y++) {
                double saved = logits[l][i][j][x][y];
                logits[l][i][j][x][y] = saved + EPS;
                double plus =
                    Reference.loss(referenceMasses(logits, queryMask, keyMask), qualifies, delta, target, lambda);
                logits[l][i][j][x][y] = saved - EPS;
                double minus =
                    Reference.loss(referenceMasses(logits, queryMask, keyMask), qualifies, delta, target, lambda);
                logits[l][i][j][x][y] = saved;
                double fd = (plus - minus) / (2 * EPS);
                worst = Math.max(worst, Math.abs(gradient[n] - fd));
                assertThat(gradient[n])
                    .as("dL/dS[%d][%d,%d,%d,%d]", l, i, j, x, y)
                    .isCloseTo(fd, within(GRADIENT_TOLERANCE));
                n++;
              }
            }
          }
        }
        assertThat(InteractionStatisticTest.maxAbs(gradient)).isGreaterThan(1e-3);
      }
      System.out.printf("dL/dS: max |autograd - finite difference| = %.2e%n", worst);
    }
  }

  /** Gradient of the loss through the lean path w.r.t. q and k, against finite differences. */
  @Test
  void leanPathGradientWithRespectToQueriesAndKeysMatchesFiniteDifferences() {
    int b = 2;
    int h = 2;
    int t = 7;
    int d = 3;
    double scale = 1 / Math.sqrt(d);
    Random random = new Random(23);
    int[][] roles = {
      {TokenRole.OTHER.code(), TokenRole.IMAGE.code(), TokenRole.IMAGE.code(), TokenRole.TEXT.code(),
          0, TokenRole.ANSWER.code(), TokenRole.ANSWER.code()},
      {TokenRole.IMAGE.code(), TokenRole.IMAGE.code(), TokenRole.IMAGE.code(), TokenRole.TEXT.code(),
          TokenRole.TEXT.code(), 0, TokenRole.ANSWER.code()}
    };
    InteractionSets sets = InteractionRoles.of(Task.UNDERSTANDING).sets(roles);
    double[][] queryMask = Reference.rows(sets.queryMask(), b, t);
    double[][] keyMask = Reference.rows(sets.keyMask(), b, t);
    double[][][][] q = Reference.random(random, b, h, t, d, 1.5);
    double[][][][] k = Reference.random(random, b, h, t, d, 1.5);
    double[] qualifies = {1, 1};
    double[][] mass = {
      Reference.interaction(Reference.attention(Reference.logits(q, k, scale), null), queryMask, keyMask)
    };
    double[] delta = {0.05};
    double[] target = targetsAt(mass, qualifies, new double[] {0.03});
    AiaLoss loss = new AiaLoss(perLayer(10, delta, target), true);
    try (NDManager m = manager.newSubManager()) {
      NDArray qa = Reference.array(m, q, DataType.FLOAT64);
      NDArray ka = Reference.array(m, k, DataType.FLOAT64);
      qa.setRequiresGradient(true);
      ka.setRequiresGradient(true);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray masses =
            InteractionStatistic.fromQueriesAndKeys(
                qa, ka, scale, sets.queryIndex(m), sets.queryValid(m), sets.keyMask(m), null);
        collector.backward(
            loss.evaluate(Task.UNDERSTANDING, new NDList(masses), m.create(qualifies)).weighted());
      }
      double worst = 0;
      for (double[][][][] x : List.of(q, k)) {
        double[] gradient = Reference.values((x == q ? qa : ka).getGradient());
        int n = 0;
        for (int i = 0; i < b; i++) {
          for (int j = 0; j < h; j++) {
            for (int p = 0; p < t; p++) {
              for (int z = 0; z < d; z++) {
                double saved = x[i][j][p][z];
                x[i][j][p][z] = saved + EPS;
                double plus = leanReferenceLoss(q, k, scale, queryMask, keyMask, delta, target);
                x[i][j][p][z] = saved - EPS;
                double minus = leanReferenceLoss(q, k, scale, queryMask, keyMask, delta, target);
                x[i][j][p][z] = saved;
                worst = Math.max(worst, Math.abs(gradient[n] - (plus - minus) / (2 * EPS)));
                assertThat(gradient[n++])
                    .as("%s[%d,%d,%d,%d]", x == q ? "dL/dq" : "dL/dk", i, j, p, z)
                    .isCloseTo((plus - minus) / (2 * EPS), within(GRADIENT_TOLERANCE));
              }
            }
          }
        }
        assertThat(InteractionStatisticTest.maxAbs(gradient)).isGreaterThan(1e-4);
      }
      System.out.printf("dL/dq, dL/dk (lean path): max |autograd - finite difference| = %.2e%n", worst);
    }
  }

  private static double leanReferenceLoss(
      double[][][][] q, double[][][][] k, double scale, double[][] queryMask, double[][] keyMask,
      double[] delta, double[] target) {
    double[][] mass = {
      Reference.interaction(Reference.attention(Reference.logits(q, k, scale), null), queryMask, keyMask)
    };
    return Reference.loss(mass, new double[] {1, 1}, delta, target, 10);
  }

  private static double[][] referenceMasses(
      double[][][][][] logits, double[][] queryMask, double[][] keyMask) {
    double[][] mass = new double[logits.length][];
    for (int l = 0; l < logits.length; l++) {
      mass[l] = Reference.interaction(Reference.attention(logits[l], null), queryMask, keyMask);
    }
    return mass;
  }

  /** Targets that put each layer's mean at the given |deviation|, kept inside [0, 1]. */
  private static double[] targetsAt(double[][] mass, double[] qualifies, double[] deviation) {
    double[] target = new double[mass.length];
    for (int l = 0; l < mass.length; l++) {
      double mean = 0;
      double count = 0;
      for (int i = 0; i < qualifies.length; i++) {
        mean += qualifies[i] * mass[l][i];
        count += qualifies[i];
      }
      mean /= count;
      target[l] = mean > 0.5 ? mean - deviation[l] : mean + deviation[l];
    }
    return target;
  }
}
