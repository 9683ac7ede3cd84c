package org.aia4j.djl.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.aia4j.api.model.Task;
import org.aia4j.djl.model.ForwardOptions;
import org.aia4j.djl.model.UnifiedTransformer;
import org.aia4j.inference.decode.Decoding;

/**
 * The reference decoding: every step runs the full forward pass of each row alone over its whole
 * sequence so far, without cache or padding. Quadratic and unbatched; for tests and checks.
 */
final class RecomputedDecoding implements Decoding {
  private final UnifiedTransformer model;
  private final NDManager manager;
  private final ParameterStore ps;
  private final List<int[]> sequences = new ArrayList<>();
  private final Task task;

  /** @param task picks the branch of a forked model */
  RecomputedDecoding(UnifiedTransformer model, NDManager parent, Task task) {
    this.model = model;
    this.task = task;
    this.manager = parent.newSubManager();
    this.ps = new ParameterStore(manager, false);
  }

  @Override
  public float[][] start(List<int[]> prefixes) {
    prefixes.forEach(p -> sequences.add(p.clone()));
    return logits();
  }

  @Override
  public float[][] next(int[] tokens) {
    for (int b = 0; b < tokens.length; b++) {
      int[] seq = sequences.get(b);
      int[] longer = Arrays.copyOf(seq, seq.length + 1);
      longer[seq.length] = tokens[b];
      sequences.set(b, longer);
    }
    return logits();
  }

  private float[][] logits() {
    float[][] out = new float[sequences.size()][];
    for (int b = 0; b < out.length; b++) {
      int[] seq = sequences.get(b);
      try (NDManager step = manager.newSubManager()) {
        long[] ids = Arrays.stream(seq).asLongStream().toArray();
        NDArray tokens = step.create(ids, new Shape(1, seq.length));
        NDArray logits = model.forward(ps, tokens, ForwardOptions.logitsOnly().forTask(task)).logits();
        out[b] = logits.get(new NDIndex("0, -1, :")).toFloatArray();
      }
    }
    return out;
  }

  @Override
  public void close() {
    manager.close();
  }
}
