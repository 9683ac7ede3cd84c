package org.aia4j.djl.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.api.model.Task;
import org.aia4j.djl.io.ModelWeights;
import org.aia4j.djl.model.Capture;
import org.aia4j.djl.model.ForwardOptions;
import org.aia4j.djl.model.ForwardOutput;
import org.aia4j.djl.model.UnifiedTransformer;
import org.aia4j.inference.checkpoint.TextModel;
import org.aia4j.inference.decode.Decoding;
import org.aia4j.inference.decode.TextCompletions;
import org.aia4j.inference.decode.TextEngine;
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
    if (text.model().forked()) {
      throw new IllegalArgumentException(text.dir() + " is forked (UniFork): raw-id decoding would have to pick a"
          + " branch; it is not supported");
    }
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
  public int[][] completeBatch(int[][] prompts, int maxTokens, SamplingSettings sampling, OptionalInt stop) {
    TextCompletions.checkPrompts(prompts, maxTokens, model.config().maxLength(), model.config().vocabSize());
    // The unified model's own cached decoding: left padding, grouped prefill, dropping finished rows.
    try (CachedDecoding decoding = new CachedDecoding(model, manager, Task.UNDERSTANDING)) {
      return TextCompletions.complete(decoding, prompts, maxTokens, sampling, stop);
    }
  }

  @Override
  public Decoding decoding() {
    return new CachedDecoding(model, manager, Task.GENERATION);
  }

  @Override
  public List<double[]> interaction(List<ExplicitSequence> sequences) {
    List<double[]> out = new ArrayList<>();
    for (ExplicitSequence sequence : sequences) {
      int t = sequence.ids().length;
      try (NDManager step = manager.newSubManager()) {
        NDArray tokens = step.create(Arrays.stream(sequence.ids()).asLongStream().toArray(), new Shape(1, t));
        ForwardOutput forward = model.forward(ps, tokens, ForwardOptions.capturing(Capture.PROBABILITIES));
        NDArray queries = step.create(sequence.queryMask(), new Shape(1, t));
        NDArray keys = step.create(sequence.keyMask(), new Shape(1, t));
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

  @Override
  public void close() {
    manager.close();
  }
}
