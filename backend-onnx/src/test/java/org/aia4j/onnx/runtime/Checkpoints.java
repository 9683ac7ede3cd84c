package org.aia4j.onnx.runtime;

import java.io.IOException;
import java.nio.file.Files;
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

/** Real checkpoints, trained by the DJL backend on the embedded world as aia train makes them. */
final class Checkpoints {
  static final WorldTrainingData DATA = new WorldTrainingData(WorldSpec.standard(), 11);

  private Checkpoints() {}

  /**
   * @param preset tiny (2 layers, width 32) or small (4 layers, width 128, 4 heads)
   * @param codebook the image codebook size, which sets the vocabulary
   */
  static Path train(Path dir, String preset, int steps, int codebook) throws IOException {
    return train(dir, preset, steps, codebook, null);
  }

  /** @param fork the number of shared layers of a forked (UniFork) model, or null */
  static Path train(Path dir, String preset, int steps, int codebook, Integer fork) throws IOException {
    TextTokenizer text = WordTokenizer.fit(DATA.vocabularyCorpus(), 1, false);
    ImageTokenizer image = PatchVqTrainer.defaults().withPatchSize(8).withCodebookSize(codebook)
        .fit(DATA.tokenizerImages(400, 3));
    try (UnifiedTrainer trainer = new UnifiedTrainer(TrainingPresets.config(preset, TaskMix.BOTH, false,
        StageSchedule.paperDefault().toJson(), steps, 5).withFork(fork), DATA, text, image)) {
      trainer.train(Integer.MAX_VALUE, (d, t, m) -> {}, r -> {});
      Checkpoint.save(dir, trainer, List.of());
    }
    return dir;
  }

  /** A copy of the checkpoint or export {@code from} at {@code to}, for a test to damage. */
  static Path copy(Path from, Path to) throws IOException {
    Files.createDirectories(to.resolve("tokenizers"));
    try (var files = Files.walk(from)) {
      for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        Files.copy(file, to.resolve(from.relativize(file).toString()));
      }
    }
    return to;
  }
}
