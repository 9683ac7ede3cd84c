package org.aia4j.cli;

import org.aia4j.api.data.TrainingData;
import org.aia4j.djl.train.TrainingConfig;
import org.aia4j.djl.train.UnifiedTrainer;
import org.aia4j.djl.train.run.TrainingRuns;
import org.aia4j.evaluation.data.WorldTrainingData;
import org.aia4j.evaluation.world.ShapesWorld;
import org.aia4j.evaluation.world.World;
import org.aia4j.evaluation.world.WorldSpec;
import org.aia4j.tokenizers.PatchVqTokenizer;
import org.aia4j.tokenizers.PatchVqTrainer;
import org.aia4j.tokenizers.WordTokenizer;

/** Wires a training run on a world: data from the seed, tokenizers fitted on it. */
final class WorldRuns {
  /** Images drawn to fit the image tokenizer. */
  static final int TOKENIZER_IMAGES = 2000;

  private WorldRuns() {}

  /** The standard shapes world's training data for a run seed. */
  static WorldTrainingData data(long seed) {
    return new WorldTrainingData(WorldSpec.standard(), seed);
  }

  /** {@code world}'s training data for a run seed. */
  static WorldTrainingData data(World world, long seed) {
    return new WorldTrainingData(world, seed);
  }

  /** The runs of {@code world}: its data by seed, tokenizers fitted on it. */
  static TrainingRuns runs(World world) {
    return new TrainingRuns(new TrainingRuns.World() {
      @Override
      public TrainingData data(long seed) {
        return WorldRuns.data(world, seed);
      }

      @Override
      public UnifiedTrainer freshTrainer(TrainingConfig config) {
        return WorldRuns.trainer(world, config);
      }
    });
  }

  /** A fresh trainer on the standard shapes world ({@link #trainer(World, TrainingConfig)}). */
  static UnifiedTrainer trainer(TrainingConfig config) {
    return trainer(ShapesWorld.standard(), config);
  }

  /** A fresh trainer: tokenizers fitted on the run's data, parameters drawn from its seed. */
  static UnifiedTrainer trainer(World world, TrainingConfig config) {
    WorldTrainingData data = data(world, config.seed());
    // Case kept: "A" (an option letter, what MMBench reads) is not "a" (an article).
    WordTokenizer text = WordTokenizer.fit(data.vocabularyCorpus(), 1, false);
    PatchVqTokenizer image = PatchVqTrainer.defaults().withPatchSize(config.patchSize())
        .withCodebookSize(config.codebookSize()).withSeed(config.seed())
        .fit(data.tokenizerImages(TOKENIZER_IMAGES, config.seed()));
    return new UnifiedTrainer(config, data, text, image);
  }
}
