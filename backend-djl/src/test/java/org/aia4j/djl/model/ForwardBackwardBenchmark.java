package org.aia4j.djl.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.Locale;
import java.util.Random;
import org.aia4j.inference.model.ModelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Prints forward and forward+backward times of a preset on this machine. Not a test (nothing is
 * asserted, it is skipped by default). Run with
 *
 * <pre>
 *   ./mvnw -B -q -pl backend-djl -am test -Dtest=ForwardBackwardBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Daia4j.benchmark=true
 * </pre>
 *
 * Optional: {@code -Daia4j.benchmark.preset=small -Daia4j.benchmark.batch=32
 * -Daia4j.benchmark.length=100 -Daia4j.benchmark.vocab=372}.
 */
class ForwardBackwardBenchmark {

  @Test
  @EnabledIfSystemProperty(named = "aia4j.benchmark", matches = "true")
  void run() {
    main(new String[0]);
  }

  public static void main(String[] args) {
    String preset = System.getProperty("aia4j.benchmark.preset", "small");
    int batch = Integer.getInteger("aia4j.benchmark.batch", 32);
    int length = Integer.getInteger("aia4j.benchmark.length", 100);
    int vocab = Integer.getInteger("aia4j.benchmark.vocab", 372);
    ModelConfig config = ModelConfig.preset(preset).withVocabSize(vocab);
    System.out.printf(Locale.ROOT, "%s: %s, %,d parameters; batch %d x %d tokens%n",
        Engine.getEngine("PyTorch").getEngineName() + " " + Engine.getEngine("PyTorch").getVersion(),
        config, config.parameterCount(), batch, length);
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      UnifiedTransformer model = new UnifiedTransformer(config);
      model.initialize(manager);
      ParameterStore ps = new ParameterStore(manager, false);
      // Warm the allocator and the autograd engine before anything is timed.
      time(model, ps, manager, batch, length, Capture.ALL, true, 5, 1);
      for (Capture capture : new Capture[] {Capture.NONE, Capture.PROBABILITIES, Capture.QUERY_KEYS}) {
        report("forward+backward " + capture, time(model, ps, manager, batch, length, capture, true, 2, 15));
      }
      report("forward only (no grad)", time(model, ps, manager, batch, length, Capture.NONE, false, 3, 10));
      // Fixed per-step cost: the same op graph on a tiny batch, where compute is negligible.
      report("forward+backward NONE, 1 x 4 tokens", time(model, ps, manager, 1, 4, Capture.NONE, true, 5, 30));
      report("forward only, 1 x 4 tokens", time(model, ps, manager, 1, 4, Capture.NONE, false, 5, 30));
    }
  }

  private static void report(String what, double seconds) {
    System.out.printf(Locale.ROOT, "  %-40s %8.1f ms%n", what, seconds * 1000);
  }

  /** Median seconds per step over {@code runs} after {@code warmup}. */
  private static double time(
      UnifiedTransformer model, ParameterStore ps, NDManager manager, int batch, int length,
      Capture capture, boolean backward, int warmup, int runs) {
    Random random = new Random(1);
    double[] times = new double[runs];
    for (int i = 0; i < warmup + runs; i++) {
      long[] ids = new long[batch * length];
      for (int j = 0; j < ids.length; j++) {
        ids[j] = random.nextInt(model.config().vocabSize());
      }
      try (NDManager step = manager.newSubManager()) {
        NDArray tokens = step.create(ids, new Shape(batch, length));
        NDArray labels = step.create(ids, new Shape(batch, length));
        long start = System.nanoTime();
        if (backward) {
          try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            ForwardOutput out = model.forward(ps, tokens, true, capture);
            NDArray loss = crossEntropy(out.logits(), labels);
            if (capture.probabilities()) {
              for (NDArray a : out.attentions()) {
                // An AIA-like term: the mass of the first half of the keys, per row.
                loss = loss.add(a.get(new NDIndex("..., :{}", length / 2)).sum().mul(1e-3f));
              }
            } else if (capture.queryKeys()) {
              for (int l = 0; l < out.queries().size(); l++) {
                NDArray q = out.queries().get(l).get(new NDIndex(":, :, {}:", length / 2));
                NDArray scores = q.matMul(out.keys().get(l).transpose(0, 1, 3, 2)).softmax(-1);
                loss = loss.add(scores.get(new NDIndex("..., :{}", length / 4)).sum().mul(1e-3f));
              }
            }
            gc.backward(loss);
          }
        } else {
          model.forward(ps, tokens, false, capture).logits().getFloat(0, 0, 0);
        }
        if (i >= warmup) {
          times[i - warmup] = (System.nanoTime() - start) / 1e9;
        }
      }
    }
    java.util.Arrays.sort(times);
    return times[runs / 2];
  }

  private static NDArray crossEntropy(NDArray logits, NDArray labels) {
    NDArray logProbs = logits.logSoftmax(-1);
    return logProbs.get(new NDIndex().addAllDim(2).addPickDim(labels.expandDims(-1))).mean().neg();
  }
}
