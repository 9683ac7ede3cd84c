package org.aia4j.djl.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * Everything that decides a training run besides the data: with the same config and data, a run
 * is reproducible. Recorded in every checkpoint (the {@code training} section of {@code
 * config.json}), so it is also the run's spec: {@code TrainingRuns} reuses a checkpoint whose
 * recorded config {@link #equals equals} the one asked for, and never one written before the spec
 * was recorded ({@link #recordsSpec()}).
 *
 * @param preset the model preset name ({@code tiny}, {@code small})
 * @param tasks which tasks are trained
 * @param aia whether the loss's term is added to the next-token loss (it is computed and logged either way)
 * @param schedule the config of the {@code loss}: for {@value #DEFAULT_LOSS}, the stage schedule JSON (see {@code
 *     org.aia4j.loss.StageSchedule}); {@code {}} by default for other losses
 * @param steps total optimisation steps of the run; the learning-rate schedule spans them
 * @param seed seed of the parameter initialisation, the data order and prompt dropout
 * @param batchSize sequences per step, split between the tasks by {@code understandingShare}
 * @param understandingShare fraction of each step's sequences that are understanding samples
 *     when both tasks are trained (0.5 = the paper's 1:1)
 * @param learningRate peak learning rate of AdamW
 * @param warmupSteps linear warm-up steps before the cosine decay
 * @param finalLearningRateRatio the cosine decays to {@code learningRate * ratio}
 * @param weightDecay AdamW's decoupled weight decay, on matrices only (not norms or biases)
 * @param clipNorm the global gradient norm is clipped to this
 * @param promptDropout probability that a generation sample's prompt is dropped (for CFG)
 * @param patchSize the image tokenizer's patch side in pixels
 * @param codebookSize the image tokenizer's codebook size
 * @param fork the number of layers the tasks share in a forked (UniFork) model, the rest being
 *     one branch per task ({@link org.aia4j.inference.model.ModelConfig#fork()}); null (and absent
 *     from configs written before it existed) for the fully shared model
 * @param loss the name of the {@link org.aia4j.api.loss.LossProvider} whose loss is added to the
 *     next-token loss; its config is {@code schedule}. Null only in configs written before the
 *     loss was recorded, which were all trained with {@value #DEFAULT_LOSS}
 * @param init the absolute, normalised path of the checkpoint a fine-tuning run started from; null
 *     for a run whose parameters were drawn from the seed
 */
public record TrainingConfig(
    String preset,
    TaskMix tasks,
    boolean aia,
    JsonNode schedule,
    int steps,
    long seed,
    int batchSize,
    double understandingShare,
    double learningRate,
    int warmupSteps,
    double finalLearningRateRatio,
    double weightDecay,
    double clipNorm,
    double promptDropout,
    int patchSize,
    int codebookSize,
    Integer fork,
    String loss,
    String init) {

  /** The loss of a run that names none: the built-in AIA loss provider's name. */
  public static final String DEFAULT_LOSS = "aia";

  // Checks every field; each message names the field and, where it helps, the command option.
  public TrainingConfig {
    Objects.requireNonNull(preset, "preset");
    Objects.requireNonNull(tasks, "tasks");
    Objects.requireNonNull(schedule, "schedule");
    positive("steps (--steps)", steps);
    positive("batchSize", batchSize);
    if (tasks == TaskMix.BOTH && (understandingShare <= 0 || understandingShare >= 1
        || Math.round(batchSize * understandingShare) < 1 || Math.round(batchSize * (1 - understandingShare)) < 1)) {
      throw new IllegalArgumentException("understandingShare " + understandingShare + " with batchSize " + batchSize
          + " leaves a task without samples");
    }
    if (!(learningRate > 0) || !(finalLearningRateRatio >= 0 && finalLearningRateRatio <= 1)) {
      throw new IllegalArgumentException("learningRate must be > 0 and finalLearningRateRatio in [0, 1], got "
          + learningRate + " and " + finalLearningRateRatio);
    }
    if (warmupSteps < 0 || !(weightDecay >= 0) || !(clipNorm > 0)) {
      throw new IllegalArgumentException("warmupSteps and weightDecay must be >= 0 and clipNorm > 0, got "
          + warmupSteps + ", " + weightDecay + ", " + clipNorm);
    }
    if (!(promptDropout >= 0 && promptDropout < 1)) {
      throw new IllegalArgumentException("promptDropout must be in [0, 1), got " + promptDropout);
    }
    positive("patchSize", patchSize);
    positive("codebookSize", codebookSize);
    if (fork != null && fork < 0) {
      throw new IllegalArgumentException("fork (--fork) must be >= 0 (the number of shared layers), got " + fork);
    }
    if (loss != null && loss.isBlank()) {
      throw new IllegalArgumentException("loss (--loss) must name a loss provider, got a blank name");
    }
  }

  /** A config of the default loss, drawn from the seed (no {@code --init}). */
  public TrainingConfig(String preset, TaskMix tasks, boolean aia, JsonNode schedule, int steps, long seed,
      int batchSize, double understandingShare, double learningRate, int warmupSteps, double finalLearningRateRatio,
      double weightDecay, double clipNorm, double promptDropout, int patchSize, int codebookSize, Integer fork) {
    this(preset, tasks, aia, schedule, steps, seed, batchSize, understandingShare, learningRate, warmupSteps,
        finalLearningRateRatio, weightDecay, clipNorm, promptDropout, patchSize, codebookSize, fork, DEFAULT_LOSS,
        null);
  }

  /** A fully shared model's config (no fork). */
  public TrainingConfig(String preset, TaskMix tasks, boolean aia, JsonNode schedule, int steps, long seed,
      int batchSize, double understandingShare, double learningRate, int warmupSteps, double finalLearningRateRatio,
      double weightDecay, double clipNorm, double promptDropout, int patchSize, int codebookSize) {
    this(preset, tasks, aia, schedule, steps, seed, batchSize, understandingShare, learningRate, warmupSteps,
        finalLearningRateRatio, weightDecay, clipNorm, promptDropout, patchSize, codebookSize, (Integer) null);
  }

  /** This config with another fork: null for the fully shared model. */
  public TrainingConfig withFork(Integer newFork) {
    return new TrainingConfig(preset, tasks, aia, schedule, steps, seed, batchSize, understandingShare,
        learningRate, warmupSteps, finalLearningRateRatio, weightDecay, clipNorm, promptDropout, patchSize,
        codebookSize, newFork, loss, init);
  }

  /** This config with another image tokenizer: patch side and codebook size. */
  public TrainingConfig withImageTokenizer(int newPatchSize, int newCodebookSize) {
    return new TrainingConfig(preset, tasks, aia, schedule, steps, seed, batchSize, understandingShare,
        learningRate, warmupSteps, finalLearningRateRatio, weightDecay, clipNorm, promptDropout, newPatchSize,
        newCodebookSize, fork, loss, init);
  }

  /** This config with another peak learning rate. */
  public TrainingConfig withLearningRate(double newLearningRate) {
    return new TrainingConfig(preset, tasks, aia, schedule, steps, seed, batchSize, understandingShare,
        newLearningRate, warmupSteps, finalLearningRateRatio, weightDecay, clipNorm, promptDropout, patchSize,
        codebookSize, fork, loss, init);
  }

  /** This config with another loss provider name and its config (stored as {@code schedule}). */
  public TrainingConfig withLoss(String newLoss, JsonNode newConfig) {
    return new TrainingConfig(preset, tasks, aia, newConfig, steps, seed, batchSize, understandingShare,
        learningRate, warmupSteps, finalLearningRateRatio, weightDecay, clipNorm, promptDropout, patchSize,
        codebookSize, fork, Objects.requireNonNull(newLoss, "newLoss"), init);
  }

  /**
   * This config fine-tuning from {@code base} (recorded absolute and normalised, so two spellings of
   * one folder are one spec), or drawn from the seed when null.
   */
  public TrainingConfig withInit(java.nio.file.Path base) {
    return new TrainingConfig(preset, tasks, aia, schedule, steps, seed, batchSize, understandingShare,
        learningRate, warmupSteps, finalLearningRateRatio, weightDecay, clipNorm, promptDropout, patchSize,
        codebookSize, fork, loss, base == null ? null : base.toAbsolutePath().normalize().toString());
  }

  /** The loss provider's name: {@link #loss}, or {@value #DEFAULT_LOSS} for a config that predates it. */
  public String lossName() {
    return loss == null ? DEFAULT_LOSS : loss;
  }

  /**
   * Whether this config was written with the whole spec (loss and init). Older checkpoints' configs
   * still load and resume, but are never taken for an equal spec, since what they lack was not
   * recorded.
   */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean recordsSpec() {
    return loss != null;
  }

  /** Understanding sequences per step. */
  public int understandingBatch() {
    return switch (tasks) {
      case BOTH -> (int) Math.round(batchSize * understandingShare);
      case UNDERSTANDING -> batchSize;
      case GENERATION -> 0;
    };
  }

  /** Generation sequences per step. */
  public int generationBatch() {
    return batchSize - understandingBatch();
  }

  /** This config with another step budget. */
  public TrainingConfig withSteps(int newSteps) {
    return new TrainingConfig(preset, tasks, aia, schedule, newSteps, seed, batchSize, understandingShare,
        learningRate, warmupSteps, finalLearningRateRatio, weightDecay, clipNorm, promptDropout, patchSize,
        codebookSize, fork, loss, init);
  }

  private static void positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be > 0, got " + value);
    }
  }
}
