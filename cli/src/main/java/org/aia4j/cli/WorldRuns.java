package org.aia4j.cli;

import org.aia4j.djl.train.TrainingConfig;
import org.aia4j.djl.train.UnifiedTrainer;
import org.aia4j.evaluation.data.WorldTrainingData;
import org.aia4j.evaluation.world.WorldSpec;
import org.aia4j.tokenizers.PatchVqTokenizer;
import org.aia4j.tokenizers.PatchVqTrainer;
import org.aia4j.tokenizers.WordTokenizer;

/** Wires a training run on the embedded world: data from the seed, tokenizers fitted on it. */
final class WorldRuns {
  /** Images drawn to fit the image tokenizer. */
  static final int TOKENIZER_IMAGES = 2000;

  private WorldRuns() {}

  /** The world's training data for a run seed. */
  static WorldTrainingData data(long seed) {
    return new WorldTrainingData(WorldSpec.standard(), seed);
  }

  /** A fresh trainer: tokenizers fitted on the run's data, parameters drawn from its seed. */
  static UnifiedTrainer trainer(TrainingConfig config) {
    WorldTrainingData data = data(config.seed());
    // Case kept: "A" (an option letter, what MMBench reads) is not "a" (an article).
    WordTokenizer text = WordTokenizer.fit(data.vocabularyCorpus(), 1, false);
    PatchVqTokenizer image = PatchVqTrainer.defaults().withPatchSize(config.patchSize())
        .withCodebookSize(config.codebookSize()).withSeed(config.seed())
        .fit(data.tokenizerImages(TOKENIZER_IMAGES, config.seed()));
    return new UnifiedTrainer(config, data, text, image);
  }
}
