package org.aia4j.djl.train;

import com.fasterxml.jackson.databind.JsonNode;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.api.tokenizer.TextTokenizer;
import org.aia4j.evaluation.data.WorldTrainingData;
import org.aia4j.evaluation.world.WorldSpec;
import org.aia4j.loss.StageSchedule;
import org.aia4j.tokenizers.PatchVqTrainer;
import org.aia4j.tokenizers.WordTokenizer;

/** The embedded world with fitted tokenizers: what the cli wires up for aia train. */
final class WorldFixture {
  static final WorldTrainingData DATA = new WorldTrainingData(WorldSpec.standard(), 11);
  static final TextTokenizer TEXT = WordTokenizer.fit(DATA.vocabularyCorpus(), 1, false);
  static final ImageTokenizer IMAGE =
      PatchVqTrainer.defaults().withPatchSize(8).withCodebookSize(64).fit(DATA.tokenizerImages(400, 3));
  static final JsonNode PAPER = StageSchedule.paperDefault().toJson();

  private WorldFixture() {}

  static TrainingConfig tiny(boolean aia, int steps, long seed) {
    return TrainingPresets.config("tiny", TaskMix.BOTH, aia, PAPER, steps, seed);
  }

  static UnifiedTrainer trainer(TrainingConfig config) {
    return new UnifiedTrainer(config, DATA, TEXT, IMAGE);
  }
}
