package org.aia4j.djl.profile;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.aia4j.api.data.TrainingData;
import org.aia4j.api.interaction.InteractionRoles;
import org.aia4j.api.interaction.InteractionSets;
import org.aia4j.api.model.InteractionProfile;
import org.aia4j.api.model.Task;
import org.aia4j.djl.model.Capture;
import org.aia4j.djl.model.ForwardOptions;
import org.aia4j.djl.model.ForwardOutput;
import org.aia4j.djl.model.UnifiedTransformer;
import org.aia4j.djl.sequence.Batch;
import org.aia4j.djl.sequence.BatchCollator;
import org.aia4j.inference.profile.ProfileSamples;
import org.aia4j.inference.sequence.SequenceBuilder;
import org.aia4j.inference.sequence.TokenSequence;
import org.aia4j.loss.InteractionStatistic;

/**
 * Measures a model's per-layer interaction curve {@code I_l} (DESIGN section 3) over samples of a
 * task: the mean and spread over samples, as {@code aia profile} reports and as expert targets are
 * made from. Uses the same statistic as the AIA loss, on samples the trainer never drew (indices
 * from {@link #FIRST_INDEX} on), with prompts always present.
 */
public final class InteractionProfiler {
  /** Profiling samples start far beyond any training run's indices. */
  public static final long FIRST_INDEX = ProfileSamples.FIRST_INDEX;

  private final UnifiedTransformer model;
  private final SequenceBuilder builder;
  private final NDManager manager;

  public InteractionProfiler(UnifiedTransformer model, SequenceBuilder builder, NDManager manager) {
    this.model = model;
    this.builder = builder;
    this.manager = manager;
  }

  /**
   * Profiles {@code samples} samples of {@code task}, {@code batchSize} at a time.
   *
   * @throws IllegalArgumentException if {@code samples < 1}
   */
  public InteractionProfile profile(TrainingData data, Task task, int samples, int batchSize) {
    return profile(data, InteractionRoles.of(task), samples, batchSize);
  }

  /**
   * Profiles {@code samples} samples of {@code roles}' task with its query and key sets.
   *
   * @throws IllegalArgumentException if {@code samples < 1}
   */
  public InteractionProfile profile(TrainingData data, InteractionRoles roles, int samples, int batchSize) {
    ProfileSamples.checkSizes(samples, batchSize);
    int layers = model.config().layers();
    List<double[]> perSample = new ArrayList<>();
    ParameterStore ps = new ParameterStore(manager, false);
    Task task = roles.task();
    double scale = 1.0 / Math.sqrt(model.config().headDim());
    for (int start = 0; start < samples; start += batchSize) {
      int count = Math.min(batchSize, samples - start);
      List<TokenSequence> sequences = ProfileSamples.sequences(builder, data, task, start, count);
      try (NDManager scope = manager.newSubManager()) {
        Batch batch = BatchCollator.collate(scope, sequences);
        ForwardOutput out = model.forward(ps, batch.tokens(), ForwardOptions.capturing(Capture.QUERY_KEYS).forTask(task));
        InteractionSets sets = batch.interactionSets(roles);
        NDArray queryIndex = sets.queryIndex(scope);
        NDArray queryValid = sets.queryValid(scope);
        NDArray keyMask = sets.keyMask(scope);
        float[][] masses = new float[layers][];
        for (int l = 0; l < layers; l++) {
          masses[l] = InteractionStatistic.fromQueriesAndKeys(out.queries().get(l), out.keys().get(l), scale,
              queryIndex, queryValid, keyMask, null).toFloatArray();
        }
        for (int b = 0; b < count; b++) {
          if (sets.queryCount(b) == 0) {
            continue;
          }
          double[] row = new double[layers];
          for (int l = 0; l < layers; l++) {
            row[l] = masses[l][b];
          }
          perSample.add(row);
        }
      }
    }
    return ProfileSamples.summarize(task, perSample, layers);
  }
}
