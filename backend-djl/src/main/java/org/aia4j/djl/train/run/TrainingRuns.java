package org.aia4j.djl.train.run;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.aia4j.api.benchmark.ProgressListener;
import org.aia4j.api.data.TrainingData;
import org.aia4j.api.io.AtomicDirectory;
import org.aia4j.djl.checkpoint.Checkpoint;
import org.aia4j.djl.checkpoint.CheckpointInfo;
import org.aia4j.djl.train.StepRecord;
import org.aia4j.djl.train.TrainingConfig;
import org.aia4j.djl.train.UnifiedTrainer;
import org.aia4j.inference.checkpoint.CheckpointFiles;

/**
 * Runs a training spec into a checkpoint directory: what {@code aia train} does, callable with a
 * typed spec instead of a command line. The spec is a {@link TrainingConfig} (with {@link
 * TrainingConfig#init()} for a fine-tune); it is recorded in the checkpoint, and {@link
 * #reuseOrTrain} compares it with {@link TrainingConfig#equals}: a finished checkpoint of an equal
 * spec (and the same data) is reused, an interrupted one resumed, any other retrained.
 */
public final class TrainingRuns {

  /** Where a run's data and freshly fitted tokenizers come from (e.g. the embedded world). */
  public interface World {
    /**
     * @param seed the run's seed
     * @return the training data of a run of that seed
     */
    TrainingData data(long seed);

    /**
     * @param config a spec without {@link TrainingConfig#init()}
     * @return a trainer with tokenizers fitted on {@link #data} and parameters drawn from the seed
     */
    UnifiedTrainer freshTrainer(TrainingConfig config);
  }

  /** What a run tells its caller as it goes; every method does nothing by default. */
  public interface Events {
    /** @param line a line for the console, e.g. "Fitting the tokenizers on the world's data" */
    default void message(String line) {}

    /**
     * Called once the trainer is ready, before the first step of this call.
     *
     * @param trainer the run's trainer (at its first step, or where a resume starts)
     * @return told after every step
     */
    default ProgressListener started(UnifiedTrainer trainer) {
      return ProgressListener.none();
    }

    /** Called after the last step of this call and its save, also when training failed. */
    default void finished() {}
  }

  /** How a call spends its steps. */
  public record Budget(Integer stopAfter, int saveEvery) {
    /** Checks the numbers. */
    public Budget {
      if (stopAfter != null && stopAfter < 0) {
        throw new IllegalArgumentException("stopAfter (--stop-after) must be >= 0, got " + stopAfter);
      }
      if (saveEvery <= 0) {
        throw new IllegalArgumentException("saveEvery (--save-every) must be > 0, got " + saveEvery);
      }
    }

    /** To the end of the run, saving every 500 steps (the {@code aia train} default). */
    public static Budget toTheEnd() {
      return new Budget(null, 500);
    }
  }

  /** How a run came to be in its checkpoint. */
  public enum Outcome {
    /** Trained from its first step. */
    TRAINED,
    /** Continued from an interrupted checkpoint of the same spec. */
    RESUMED,
    /** A finished checkpoint of the same spec, kept as it was. */
    REUSED
  }

  /**
   * What a call left behind.
   *
   * @param checkpoint the checkpoint directory
   * @param outcome how it was made
   * @param spec the run's spec as recorded
   * @param step the step the checkpoint is at
   * @param last the metrics of the last step taken in this call, or null when none was taken
   */
  public record Result(Path checkpoint, Outcome outcome, TrainingConfig spec, long step, StepRecord last) {}

  private final World world;

  /** @param world where data and fresh tokenizers come from */
  public TrainingRuns(World world) {
    this.world = Objects.requireNonNull(world, "world");
  }

  /**
   * Trains {@code spec} into {@code out}, which must be empty or absent.
   *
   * @throws FileAlreadyExistsException if {@code out} already holds something
   * @throws IOException if the init checkpoint cannot be read or the checkpoint written
   */
  public Result start(TrainingConfig spec, Path out, Budget budget, Events events) throws IOException {
    recover(out, events);
    refuseNonEmpty(out);
    UnifiedTrainer trainer;
    if (spec.init() != null) {
      events.message("Fine-tuning from " + spec.init());
      trainer = Checkpoint.fineTune(Path.of(spec.init()), spec, world.data(spec.seed()));
    } else {
      events.message("Fitting the tokenizers on the world's data");
      trainer = world.freshTrainer(spec);
    }
    return train(trainer, out, List.of(), budget, events, Outcome.TRAINED);
  }

  /**
   * Continues the run saved in {@code out}.
   *
   * @param steps a new total step budget, or null to keep the recorded one
   * @throws NoSuchFileException if {@code out} holds no checkpoint
   */
  public Result resume(Path out, Integer steps, Budget budget, Events events) throws IOException {
    recover(out, events);
    if (!Files.isDirectory(out)) {
      throw new NoSuchFileException(out.toString(), null, "--resume needs an existing checkpoint in --out");
    }
    long runSeed = Checkpoint.read(out).training().seed();
    UnifiedTrainer trainer = Checkpoint.resume(out, world.data(runSeed), steps);
    List<String> earlier = Checkpoint.metrics(out);
    events.message(String.format("Resuming %s at step %d of %d", out, trainer.step(), trainer.config().steps()));
    return train(trainer, out, earlier, budget, events, Outcome.RESUMED);
  }

  /**
   * Makes sure {@code out} holds a finished run of {@code spec}: reuses an equal finished one,
   * resumes an equal interrupted one, and otherwise (another spec, other data, a checkpoint that
   * records no spec, or {@code fresh}) deletes {@code out} and trains from the start.
   *
   * @param fresh retrain even an equal checkpoint
   */
  public Result reuseOrTrain(TrainingConfig spec, Path out, boolean fresh, Events events) throws IOException {
    if (!fresh && Files.isDirectory(out)) {
      Optional<CheckpointInfo> same = sameSpec(out, spec);
      if (same.isPresent() && same.get().step() >= spec.steps()) {
        events.message(String.format("  reusing %s (step %d; --fresh retrains)", out, same.get().step()));
        return new Result(out, Outcome.REUSED, same.get().training(), same.get().step(), null);
      }
      if (same.isPresent()) {
        return resume(out, null, Budget.toTheEnd(), events);
      }
    }
    AtomicDirectory.deleteTree(out);
    return start(spec, out, Budget.toTheEnd(), events);
  }

  /**
   * The spec recorded in a checkpoint, if it records one (checkpoints written before the spec was
   * recorded load, but give none).
   *
   * @throws IOException if {@code dir} is not a readable checkpoint
   */
  public static Optional<TrainingConfig> recorded(Path dir) throws IOException {
    TrainingConfig training = Checkpoint.read(dir).training();
    return training.recordsSpec() ? Optional.of(training) : Optional.empty();
  }

  /** The checkpoint in {@code dir} if it records {@code spec} and was trained on the spec's data. */
  private Optional<CheckpointInfo> sameSpec(Path dir, TrainingConfig spec) {
    try {
      CheckpointInfo info = Checkpoint.read(dir);
      boolean same = info.training().recordsSpec() && info.training().equals(spec)
          && info.data().equals(world.data(spec.seed()).describe());
      return same ? Optional.of(info) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      // Unreadable or damaged: not a run to keep, so it is retrained.
      return Optional.empty();
    }
  }

  private static Result train(UnifiedTrainer trainer, Path out, List<String> earlier, Budget budget, Events events,
      Outcome outcome) throws IOException {
    try (trainer) {
      TrainingConfig config = trainer.config();
      StepRecord[] last = new StepRecord[1];
      try {
        ProgressListener progress = events.started(trainer);
        int left = budget.stopAfter() == null ? Integer.MAX_VALUE : budget.stopAfter();
        while (left > 0 && trainer.step() < config.steps()) {
          int chunk = Math.min(left, budget.saveEvery());
          left -= trainer.train(chunk, progress, r -> last[0] = r);
          Checkpoint.save(out, trainer, earlier);
        }
      } finally {
        events.finished();
      }
      return new Result(out, outcome, config, trainer.step(), last[0]);
    }
  }

  // A save interrupted between its renames left the checkpoint beside out: put it back first.
  private static void recover(Path out, Events events) throws IOException {
    CheckpointFiles.recover(out).restoredFrom().ifPresent(from ->
        events.message(String.format("Recovered %s from %s (an interrupted save)", out, from.getFileName())));
  }

  private static void refuseNonEmpty(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      try (Stream<Path> children = Files.list(dir)) {
        if (children.findAny().isPresent()) {
          throw new FileAlreadyExistsException(dir.toString(), null,
              "already holds a run: pass --resume to continue it, or choose a new --out");
        }
      }
    } else if (Files.exists(dir)) {
      throw new FileAlreadyExistsException(dir.toString(), null, "is a file, not a directory");
    }
  }
}
