package org.aia4j.djl.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.djl.io.ModelWeights;
import org.aia4j.djl.model.Capture;
import org.aia4j.djl.model.ForwardOptions;
import org.aia4j.djl.model.ForwardOutput;
import org.aia4j.djl.model.KvCache;
import org.aia4j.djl.model.UnifiedTransformer;
import org.aia4j.inference.checkpoint.TextModel;
import org.aia4j.inference.decode.TextEngine;
import org.aia4j.inference.decode.TokenSampler;
import org.aia4j.inference.profile.ExplicitSequence;
import org.aia4j.loss.InteractionStatistic;

/**
 * {@link TextEngine} on DJL's PyTorch engine: the checkpoint's transformer (either family) run on
 * raw ids, with its KV cache for continuations and its captured attention for the statistic.
 */
public final class DjlTextEngine implements TextEngine {
  private final UnifiedTransformer model;
  private final NDManager manager;
  private final ParameterStore ps;

  private DjlTextEngine(UnifiedTransformer model, NDManager manager) {
    this.model = model;
    this.manager = manager;
    this.ps = new ParameterStore(manager, false);
  }

  /** Builds the transformer of {@code text} and loads its weights. */
  public static DjlTextEngine load(TextModel text) throws IOException {
    NDManager manager = NDManager.newBaseManager("PyTorch");
    try {
      UnifiedTransformer model = new UnifiedTransformer(text.model());
      ModelWeights.load(model, manager, text.dir(), text.weights());
      return new DjlTextEngine(model, manager);
    } catch (IOException | RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  @Override
  public String engine() {
    return "djl";
  }

  @Override
  public int[] complete(int[] prompt, int maxTokens, SamplingSettings sampling, OptionalInt stop) {
    requireLength(prompt, maxTokens);
    TokenSampler sampler = new TokenSampler(sampling, sampling.seed());
    int[] out = new int[maxTokens];
    int n = 0;
    try (NDManager step = manager.newSubManager(); KvCache cache = new KvCache(step, model.config().layers())) {
      long[] feed = Arrays.stream(prompt).asLongStream().toArray();
      while (n < maxTokens) {
        // Each step's arrays die with its manager; the cache keeps its own copies.
        try (NDManager scratch = step.newSubManager()) {
          NDArray next = scratch.create(feed, new Shape(1, feed.length));
          NDArray logits = model.forward(ps, next, cache, ForwardOptions.logitsOnly()).logits();
          long last = logits.getShape().get(1) - 1;
          float[] row = logits.get(new NDIndex("0, {}, :", last)).toType(DataType.FLOAT32, false).toFloatArray();
          int id = sampler.pick(row, null);
          out[n++] = id;
          if (stop.isPresent() && id == stop.getAsInt()) {
            break;
          }
          feed = new long[] {id};
        }
      }
    }
    return Arrays.copyOf(out, n);
  }

  private void requireLength(int[] prompt, int maxTokens) {
    if (prompt.length == 0) {
      throw new IllegalArgumentException("The prompt is empty: give at least one id");
    }
    if (maxTokens < 1) {
      throw new IllegalArgumentException("max tokens must be at least 1, got " + maxTokens);
    }
    int limit = model.config().maxLength();
    if (prompt.length + maxTokens > limit) {
      throw new IllegalArgumentException("The prompt's " + prompt.length + " ids plus " + maxTokens
          + " new ones exceed the model's " + limit + " positions; shorten the prompt or lower --max-tokens");
    }
    for (int id : prompt) {
      if (id < 0 || id >= model.config().vocabSize()) {
        throw new IllegalArgumentException("id " + id + " is outside the model's vocabulary [0, "
            + model.config().vocabSize() + ")");
      }
    }
  }

  @Override
  public List<double[]> interaction(List<ExplicitSequence> sequences) {
    List<double[]> out = new ArrayList<>();
    for (ExplicitSequence sequence : sequences) {
      int t = sequence.ids().length;
      try (NDManager step = manager.newSubManager()) {
        NDArray tokens = step.create(Arrays.stream(sequence.ids()).asLongStream().toArray(), new Shape(1, t));
        ForwardOutput forward = model.forward(ps, tokens, ForwardOptions.capturing(Capture.PROBABILITIES));
        NDArray queries = step.create(mask(sequence.queries(), t), new Shape(1, t));
        NDArray keys = step.create(mask(sequence.keys(), t), new Shape(1, t));
        double[] layers = new double[forward.attentions().size()];
        for (int l = 0; l < layers.length; l++) {
          NDArray attention = forward.attentions().get(l).toType(DataType.FLOAT32, false);
          layers[l] = InteractionStatistic.fromAttention(attention, queries, keys).getFloat(0);
        }
        out.add(layers);
      }
    }
    return out;
  }

  private static float[] mask(int[] positions, int length) {
    float[] mask = new float[length];
    for (int p : positions) {
      mask[p] = 1f;
    }
    return mask;
  }

  @Override
  public void close() {
    manager.close();
  }
}
