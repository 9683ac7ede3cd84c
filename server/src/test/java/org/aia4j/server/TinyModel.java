package org.aia4j.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.api.tokenizer.TextTokenizer;
import org.aia4j.djl.checkpoint.Checkpoint;
import org.aia4j.djl.train.TaskMix;
import org.aia4j.djl.train.TrainingPresets;
import org.aia4j.djl.train.UnifiedTrainer;
import org.aia4j.evaluation.data.WorldTrainingData;
import org.aia4j.evaluation.world.WorldSpec;
import org.aia4j.loss.StageSchedule;
import org.aia4j.onnx.runtime.OnnxUnifiedModel;
import org.aia4j.tokenizers.PatchVqTrainer;
import org.aia4j.tokenizers.WordTokenizer;

/**
 * A real checkpoint for the server's tests: the tiny preset trained for a few steps on the
 * embedded world (seeded), as {@code aia train --preset tiny} makes it, once per test JVM, served
 * on ONNX Runtime as {@code aia serve} does by default.
 */
public final class TinyModel {
  static final WorldTrainingData DATA = new WorldTrainingData(WorldSpec.standard(), 11);
  private static Path checkpoint;

  private TinyModel() {}

  /** @return the checkpoint directory, trained on first use */
  public static synchronized Path checkpoint() {
    if (checkpoint == null) {
      try {
        Path dir = Files.createTempDirectory("aia-serve-test-").resolve("tiny");
        TextTokenizer text = WordTokenizer.fit(DATA.vocabularyCorpus(), 1, false);
        ImageTokenizer image = PatchVqTrainer.defaults().withPatchSize(8).withCodebookSize(32)
            .fit(DATA.tokenizerImages(200, 3));
        try (UnifiedTrainer trainer = new UnifiedTrainer(TrainingPresets.config("tiny", TaskMix.BOTH, false,
            StageSchedule.paperDefault().toJson(), 20, 5), DATA, text, image)) {
          trainer.train(Integer.MAX_VALUE, (d, t, m) -> {}, r -> {});
          Checkpoint.save(dir, trainer, List.of());
        }
        checkpoint = dir;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return checkpoint;
  }

  /** @return the checkpoint loaded on ONNX Runtime with 2 threads */
  public static OnnxUnifiedModel load() throws IOException {
    return OnnxUnifiedModel.load(checkpoint(), Map.of("threads", "2"));
  }
}
