package org.aia4j.inference.profile;

import java.util.ArrayList;
import java.util.List;
import org.aia4j.api.data.TrainingData;
import org.aia4j.api.model.InteractionProfile;
import org.aia4j.api.model.Task;
import org.aia4j.inference.sequence.SequenceBuilder;
import org.aia4j.inference.sequence.TokenSequence;

/**
 * What every backend's profiler shares: which samples an interaction profile is measured on and
 * how per-sample curves become a profile, so two backends given the same attention agree.
 */
public final class ProfileSamples {
  /** Profiling samples start far beyond any training run's indices. */
  public static final long FIRST_INDEX = 1L << 40;

  private ProfileSamples() {}

  /**
   * Samples {@code [start, start + count)} of the profiling range, laid out as in training with the
   * prompt always present.
   */
  public static List<TokenSequence> sequences(SequenceBuilder builder, TrainingData data, Task task, int start,
      int count) {
    List<TokenSequence> sequences = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      long index = FIRST_INDEX + start + i;
      sequences.add(task == Task.UNDERSTANDING
          ? builder.understanding(data.understanding(index))
          : builder.generation(data.generation(index), false));
    }
    return sequences;
  }

  /**
   * @param perSample one {@code I_l} curve per sample that had queries
   * @return the mean (clamped to [0, 1] against rounding) and the spread per layer
   * @throws IllegalStateException if no sample had queries
   */
  public static InteractionProfile summarize(Task task, List<double[]> perSample, int layers) {
    if (perSample.isEmpty()) {
      throw new IllegalStateException("No " + task.shortName() + " sample had query positions to profile");
    }
    List<Double> mean = new ArrayList<>();
    List<Double> std = new ArrayList<>();
    for (int l = 0; l < layers; l++) {
      double sum = 0;
      for (double[] row : perSample) {
        sum += row[l];
      }
      double m = sum / perSample.size();
      double sq = 0;
      for (double[] row : perSample) {
        sq += (row[l] - m) * (row[l] - m);
      }
      mean.add(Math.min(1.0, Math.max(0.0, m)));
      std.add(Math.sqrt(sq / perSample.size()));
    }
    return new InteractionProfile(task, mean, std, perSample.size());
  }

  /** @throws IllegalArgumentException unless both are at least 1 */
  public static void checkSizes(int samples, int batchSize) {
    if (samples < 1 || batchSize < 1) {
      throw new IllegalArgumentException("samples and batch size must be >= 1, got " + samples + " and " + batchSize);
    }
  }
}
