package org.aia4j.inference.profile;

import java.util.List;
import java.util.Objects;
import org.aia4j.api.model.Task;

/**
 * A model's per-layer modality alignment for one task: at each layer, the {@link MutualKnn} score
 * between the samples' pooled image-token and pooled text-token hidden states.
 *
 * @param task the task whose sequences (and, in a forked model, whose branch) were measured
 * @param k neighbours per sample
 * @param samples how many samples
 * @param perLayer the score after each layer, layer 0 first
 */
public record AlignmentCurve(Task task, int k, int samples, List<Double> perLayer) {
  public AlignmentCurve {
    Objects.requireNonNull(task, "task");
    perLayer = List.copyOf(perLayer);
    if (perLayer.isEmpty()) {
      throw new IllegalArgumentException("an alignment curve needs at least one layer");
    }
  }

  /** @return the number of layers */
  public int layers() {
    return perLayer.size();
  }
}
