package org.aia4j.djl.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.aia4j.inference.model.ModelConfig;
import org.aia4j.testkit.GarbageCollection;
import org.junit.jupiter.api.Test;

/**
 * The autograd graph must own every tensor it saves for the backward pass.
 *
 * <p>DJL's PyTorch engine wraps Java direct buffers without copying ({@code from_blob}), and its
 * {@code NDArray.mul(Number)} family builds such a 0-d tensor for the number and closes it as soon
 * as the forward op returns. Autograd keeps the tensor (a product saves its other factor), but
 * nothing keeps the Java buffer reachable: once the garbage collector frees it, glibc writes its
 * free-list pointer into those bytes, and the backward pass multiplies by them. That is the
 * garbage gradient (norms of 1e5 to 1e15) that struck about 0.3% of training steps, at whatever
 * step a collection happened to fall between a forward and its backward.
 *
 * <p>The test forces exactly that: a full collection (and time for the reference handler to free
 * the buffers) between forward and backward, then compares every gradient bit for bit with the
 * gradient of the same forward and backward without it.
 */
class GraphMemoryTest {

  private static final ModelConfig CONFIG = new ModelConfig(2, 16, 2, 24, 12, 20, 3);

  @Test
  void gradientsDoNotChangeWhenTheCollectorRunsBetweenForwardAndBackward() {
    Random random = new Random(5);
    int[][] tokens = UnifiedTransformerTest.randomTokens(random, 2, 10, CONFIG.vocabSize());
    float[] weights = new float[2 * 10 * CONFIG.vocabSize()];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = (float) random.nextGaussian();
    }
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      UnifiedTransformer model = new UnifiedTransformer(CONFIG);
      model.initialize(manager);
      Map<String, float[]> quiet = gradients(model, manager, tokens, weights, false);
      Map<String, float[]> collected = gradients(model, manager, tokens, weights, true);
      for (Map.Entry<String, float[]> e : quiet.entrySet()) {
        assertThat(collected.get(e.getKey())).as(e.getKey()).containsExactly(e.getValue());
      }
    }
  }

  /** One forward and backward of {@code sum(logits * weights)}; the gradients, then zeroed. */
  private static Map<String, float[]> gradients(UnifiedTransformer model, NDManager manager, int[][] tokens,
      float[] weights, boolean collectBeforeBackward) {
    ParameterStore ps = new ParameterStore(manager, false);
    try (NDManager step = manager.newSubManager();
        GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
      NDArray input = UnifiedTransformerTest.toArray(step, tokens);
      ForwardOutput out = model.forward(ps, input, ForwardOptions.training(Capture.PROBABILITIES));
      NDArray loss = out.logits().mul(step.create(weights, out.logits().getShape())).sum();
      if (collectBeforeBackward) {
        GarbageCollection.collectAndWait();
      }
      collector.backward(loss);
    }
    Map<String, float[]> gradients = new LinkedHashMap<>();
    for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
      NDArray gradient = e.getValue().getArray().getGradient();
      gradients.put(e.getKey(), gradient.toFloatArray());
      gradient.muli(0f);
      gradient.close();
    }
    return gradients;
  }
}
