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
import org.aia4j.inference.decode.TextCompletions;
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
  public int[][] completeBatch(int[][] prompts, int maxTokens, SamplingSettings sampling, OptionalInt stop) {
    TextCompletions.checkPrompts(prompts, maxTokens, model.config().maxLength(), model.config().vocabSize());
    int rows = prompts.length;
    int longest = Arrays.stream(prompts).mapToInt(p -> p.length).max().orElseThrow();
    int[] padding = new int[rows];
    long[] feed = new long[rows * longest];
    TokenSampler[] samplers = new TokenSampler[rows];
    for (int r = 0; r < rows; r++) {
      padding[r] = longest - prompts[r].length;
      for (int i = 0; i < prompts[r].length; i++) {
        feed[r * longest + padding[r] + i] = prompts[r][i];
      }
      samplers[r] = new TokenSampler(sampling, sampling.seed() + r);
    }
    int[][] out = new int[rows][maxTokens];
    int[] lengths = new int[rows];
    boolean[] done = new boolean[rows];
    int width = longest;
    try (NDManager step = manager.newSubManager();
        KvCache cache = rows == 1 ? new KvCache(step, model.config().layers())
            : new KvCache(step, model.config().layers(), padding)) {
      for (int n = 0; n < maxTokens; n++) {
        // Each step's arrays die with its manager; the cache keeps its own copies.
        try (NDManager scratch = step.newSubManager()) {
          NDArray tokens = scratch.create(feed, new Shape(rows, width));
          NDArray logits = model.forward(ps, tokens, cache, ForwardOptions.logitsOnly()).logits();
          float[] last = logits.get(new NDIndex(":, {}, :", width - 1)).toType(DataType.FLOAT32, false)
              .toFloatArray();
          int vocab = last.length / rows;
          feed = new long[rows];
          boolean all = true;
          for (int r = 0; r < rows; r++) {
            int id = samplers[r].pick(Arrays.copyOfRange(last, r * vocab, (r + 1) * vocab), null);
            feed[r] = id;
            if (!done[r]) {
              out[r][lengths[r]++] = id;
              done[r] = stop.isPresent() && id == stop.getAsInt();
            }
            all &= done[r];
          }
          width = 1;
          if (all) {
            break;
          }
        }
      }
    }
    int[][] trimmed = new int[rows][];
    for (int r = 0; r < rows; r++) {
      trimmed[r] = Arrays.copyOf(out[r], lengths[r]);
    }
    return trimmed;
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
