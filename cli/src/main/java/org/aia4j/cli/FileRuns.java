package org.aia4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.aia4j.api.model.Task;
import org.aia4j.djl.train.TaskMix;
import org.aia4j.djl.train.TrainingConfig;
import org.aia4j.djl.train.UnifiedTrainer;
import org.aia4j.djl.train.run.TrainingRuns;
import org.aia4j.evaluation.files.FileTrainingData;
import org.aia4j.evaluation.world.WorldSpec;
import org.aia4j.tokenizers.PatchVqTokenizer;
import org.aia4j.tokenizers.PatchVqTrainer;
import org.aia4j.tokenizers.WordTokenizer;

/**
 * Wires a training run on data files ({@code aia train --data FILE ...}), as {@link WorldRuns}
 * does for the embedded world: the files' samples, tokenizers fitted on their texts and images.
 */
final class FileRuns implements TrainingRuns.World {
  /**
   * The side images are fitted to: the embedded world's, the size the model presets' sequence
   * lengths are made for.
   */
  static final int IMAGE_SIZE = WorldSpec.standard().imageSize();

  private final List<Path> files;
  /** Read once per seed: a run asks for its data several times (describe, fit, train). */
  private final Map<Long, FileTrainingData> read = new HashMap<>();

  private final int imageSize;

  private FileRuns(List<Path> files, int imageSize) {
    this.files = List.copyOf(files);
    this.imageSize = imageSize;
  }

  /** The runs of {@code files}. */
  static TrainingRuns runs(List<Path> files) {
    return runs(files, IMAGE_SIZE);
  }

  /** The runs of {@code files}, their images read at {@code imageSize} (an imported model's image tokenizer's). */
  static TrainingRuns runs(List<Path> files, int imageSize) {
    return new TrainingRuns(new FileRuns(files, imageSize));
  }

  /** @throws UncheckedIOException naming the file (and row) that cannot be read */
  @Override
  public synchronized FileTrainingData data(long seed) {
    return read.computeIfAbsent(seed, s -> {
      try {
        return FileTrainingData.read(files, imageSize, s);
      } catch (IOException e) {
        throw new UncheckedIOException(e.getMessage(), e);
      }
    });
  }

  /**
   * A fresh trainer: a word tokenizer fitted on the files' prompts and answers, a patch VQ on their
   * images, parameters drawn from the seed.
   *
   * @throws IllegalArgumentException if the files lack a task the run trains, or carry image codes
   *     (which only the tokenizer that made them reads, so they need {@code --init})
   */
  @Override
  public UnifiedTrainer freshTrainer(TrainingConfig config) {
    FileTrainingData data = data(config.seed());
    requireTasks(data, config.tasks());
    Optional<String> tokenized = data.firstTokenizedRow();
    if (tokenized.isPresent()) {
      throw new IllegalArgumentException(tokenized.get() + " holds image codes, which only the image tokenizer that "
          + "made them can read; a fresh run fits a new one. Fine-tune a checkpoint of that tokenizer with --init "
          + "CHECKPOINT, or give the images as files (LLaVA .json, generation .jsonl)");
    }
    // Case kept, as for the world: "A" (an option letter) is not "a" (an article).
    WordTokenizer text = WordTokenizer.fit(data.vocabularyCorpus(), 1, false);
    PatchVqTokenizer image = PatchVqTrainer.defaults().withPatchSize(config.patchSize())
        .withCodebookSize(config.codebookSize()).withSeed(config.seed())
        .fit(data.tokenizerImages(WorldRuns.TOKENIZER_IMAGES, config.seed()));
    return new UnifiedTrainer(config, data, text, image);
  }

  /**
   * @throws IllegalArgumentException naming the missing kind of sample and the options that fix it
   */
  static void requireTasks(FileTrainingData data, TaskMix tasks) {
    if (tasks.includes(Task.UNDERSTANDING) && data.understandingCount() == 0) {
      throw new IllegalArgumentException("The --data files " + data.files() + " hold no understanding samples, but "
          + "--tasks " + tasks + " trains understanding: add a LLaVA conversation .json (or pre-tokenized "
          + "understanding rows) with another --data, or pass --tasks gen");
    }
    if (tasks.includes(Task.GENERATION) && data.generationCount() == 0) {
      throw new IllegalArgumentException("The --data files " + data.files() + " hold no generation samples, but "
          + "--tasks " + tasks + " trains generation: add a generation .jsonl ({\"prompt\", \"image\"} rows) with "
          + "another --data, or pass --tasks und");
    }
  }
}
