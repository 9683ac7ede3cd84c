package org.aia4j.djl.infer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.api.tokenizer.TextTokenizer;
import org.aia4j.djl.checkpoint.Checkpoint;
import org.aia4j.djl.train.TaskMix;
import org.aia4j.djl.train.TrainingPresets;
import org.aia4j.djl.train.UnifiedTrainer;
import org.aia4j.evaluation.data.WorldTrainingData;
import org.aia4j.evaluation.world.WorldSpec;
import org.aia4j.loss.StageSchedule;
import org.aia4j.tokenizers.PatchVqTrainer;
import org.aia4j.tokenizers.WordTokenizer;

/** A tiny checkpoint trained for a few steps on the embedded world, as aia train makes it. */
final class TinyCheckpoint {
  static final WorldTrainingData DATA = new WorldTrainingData(WorldSpec.standard(), 11);

  private TinyCheckpoint() {}

  static Path train(Path dir, int steps) throws IOException {
    TextTokenizer text = WordTokenizer.fit(DATA.vocabularyCorpus(), 1, false);
    ImageTokenizer image = PatchVqTrainer.defaults().withPatchSize(8).withCodebookSize(64)
        .fit(DATA.tokenizerImages(400, 3));
    try (UnifiedTrainer trainer = new UnifiedTrainer(TrainingPresets.config("tiny", TaskMix.BOTH, false,
        StageSchedule.paperDefault().toJson(), steps, 5), DATA, text, image)) {
      trainer.train(Integer.MAX_VALUE, (d, t, m) -> {}, r -> {});
      Checkpoint.save(dir, trainer, List.of());
    }
    return dir;
  }
}
