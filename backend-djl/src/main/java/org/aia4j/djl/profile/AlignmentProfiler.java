package org.aia4j.djl.profile;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.aia4j.api.data.TrainingData;
import org.aia4j.api.interaction.TokenRole;
import org.aia4j.api.model.Task;
import org.aia4j.djl.model.UnifiedTransformer;
import org.aia4j.djl.sequence.Batch;
import org.aia4j.djl.sequence.BatchCollator;
import org.aia4j.inference.profile.AlignmentCurve;
import org.aia4j.inference.profile.MutualKnn;
import org.aia4j.inference.profile.ProfileSamples;
import org.aia4j.inference.sequence.SequenceBuilder;
import org.aia4j.inference.sequence.TokenSequence;

/**
 * UniFork's modality-alignment analysis: for {@code N} samples of a task, at every layer, the
 * image tokens' hidden states and the text tokens' hidden states are mean-pooled per sample, and
 * the two sets of {@code N} vectors are compared with {@link MutualKnn}. Text is the prompt for
 * generation and the question and answer for understanding ({@link TokenRole#TEXT} and {@link
 * TokenRole#ANSWER}; BOS and specials are left out). A forked model is measured through the task's
 * own branch. Samples are {@link ProfileSamples}', as for the interaction profile.
 */
public final class AlignmentProfiler {
  private final UnifiedTransformer model;
  private final SequenceBuilder builder;
  private final NDManager manager;

  /**
   * @param builder lays out the samples of a world ({@link #profile(TrainingData, Task, int, int,
   *     int)}); may be null for {@link #profile(List, Task, int, int)}
   */
  public AlignmentProfiler(UnifiedTransformer model, SequenceBuilder builder, NDManager manager) {
    this.model = model;
    this.builder = builder;
    this.manager = manager;
  }

  /**
   * @param samples how many samples, more than {@code k}
   * @param k neighbours per sample
   * @param batchSize samples per forward pass
   * @throws IllegalArgumentException if {@code k} is not in {@code [1, samples)}
   */
  public AlignmentCurve profile(TrainingData data, Task task, int samples, int k, int batchSize) {
    ProfileSamples.checkSizes(samples, batchSize);
    return profile(task, samples, k, batchSize,
        (start, count) -> ProfileSamples.sequences(builder, data, task, start, count));
  }

  /**
   * The same over samples already laid out (an imported model's, in its own layout), whose roles
   * say which positions are image and which text.
   *
   * @throws IllegalArgumentException if {@code k} is not in {@code [1, sequences.size())}
   */
  public AlignmentCurve profile(List<TokenSequence> sequences, Task task, int k, int batchSize) {
    ProfileSamples.checkSizes(sequences.size(), batchSize);
    return profile(task, sequences.size(), k, batchSize,
        (start, count) -> sequences.subList(start, start + count));
  }

  private interface Samples {
    List<TokenSequence> get(int start, int count);
  }

  private AlignmentCurve profile(Task task, int samples, int k, int batchSize, Samples source) {
    if (k < 1 || k >= samples) {
      throw new IllegalArgumentException("--k must be in [1, samples - 1] = [1, " + (samples - 1) + "], got " + k);
    }
    int layers = model.config().layers();
    int width = model.config().width();
    float[][][] image = new float[layers][samples][];
    float[][][] text = new float[layers][samples][];
    ParameterStore ps = new ParameterStore(manager, false);
    for (int start = 0; start < samples; start += batchSize) {
      int count = Math.min(batchSize, samples - start);
      List<TokenSequence> sequences = source.get(start, count);
      try (NDManager scope = manager.newSubManager()) {
        Batch batch = BatchCollator.collate(scope, sequences);
        List<NDArray> hidden = model.hiddenStates(ps, batch.tokens(), task);
        int length = batch.length();
        for (int l = 0; l < layers; l++) {
          float[] states = hidden.get(l).toFloatArray(); // (B, T, W) row-major
          for (int b = 0; b < count; b++) {
            TokenSequence sequence = sequences.get(b);
            image[l][start + b] = pool(states, b, length, width, sequence.positions(TokenRole.IMAGE));
            text[l][start + b] = pool(states, b, length, width, concat(sequence.positions(TokenRole.TEXT),
                sequence.positions(TokenRole.ANSWER)));
          }
        }
      }
    }
    List<Double> perLayer = new ArrayList<>();
    for (int l = 0; l < layers; l++) {
      perLayer.add(MutualKnn.score(image[l], text[l], k));
    }
    return new AlignmentCurve(task, k, samples, perLayer);
  }

  private static float[] pool(float[] states, int b, int length, int width, int[] positions) {
    if (positions.length == 0) {
      throw new IllegalStateException("A sample has no tokens of a modality to pool");
    }
    float[] mean = new float[width];
    for (int t : positions) {
      int offset = (b * length + t) * width;
      for (int d = 0; d < width; d++) {
        mean[d] += states[offset + d];
      }
    }
    for (int d = 0; d < width; d++) {
      mean[d] /= positions.length;
    }
    return mean;
  }

  private static int[] concat(int[] a, int[] b) {
    int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
