package org.aia4j.djl.train.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aia4j.api.checkpoint.Manifest;
import org.aia4j.api.data.TrainingData;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.api.tokenizer.TextTokenizer;
import org.aia4j.djl.checkpoint.Checkpoint;
import org.aia4j.djl.train.TaskMix;
import org.aia4j.djl.train.TrainingConfig;
import org.aia4j.djl.train.TrainingPresets;
import org.aia4j.djl.train.UnifiedTrainer;
import org.aia4j.evaluation.data.WorldTrainingData;
import org.aia4j.evaluation.world.WorldSpec;
import org.aia4j.loss.StageSchedule;
import org.aia4j.tokenizers.PatchVqTrainer;
import org.aia4j.tokenizers.WordTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run's spec decides reuse: equal and finished is kept, equal and interrupted resumed, else retrained. */
class TrainingRunsTest {
  private static final WorldTrainingData DATA = new WorldTrainingData(WorldSpec.standard(), 5);
  private static final TextTokenizer TEXT = WordTokenizer.fit(DATA.vocabularyCorpus(), 1, false);
  private static final ImageTokenizer IMAGE =
      PatchVqTrainer.defaults().withPatchSize(8).withCodebookSize(64).fit(DATA.tokenizerImages(400, 3));

  /** The world of seed 5 only, so a spec of another seed has no data here. */
  private static final TrainingRuns RUNS = new TrainingRuns(new TrainingRuns.World() {
    @Override
    public TrainingData data(long seed) {
      return DATA;
    }

    @Override
    public UnifiedTrainer freshTrainer(TrainingConfig config) {
      return new UnifiedTrainer(config, DATA, TEXT, IMAGE);
    }
  });

  @TempDir
  Path tmp;

  private final List<String> messages = new ArrayList<>();
  private final TrainingRuns.Events events = new TrainingRuns.Events() {
    @Override
    public void message(String line) {
      messages.add(line);
    }
  };

  private static TrainingConfig spec(int steps) {
    return TrainingPresets.config("tiny", TaskMix.BOTH, true, StageSchedule.paperDefault().toJson(), steps, 5);
  }

  @Test
  void anEqualSpecIsReusedAnInterruptedOneResumedAnyOtherRetrained() throws IOException {
    TrainingConfig spec = spec(4);
    Path whole = tmp.resolve("whole");
    assertThat(RUNS.reuseOrTrain(spec, whole, false, events).outcome()).isEqualTo(TrainingRuns.Outcome.TRAINED);
    assertThat(TrainingRuns.recorded(whole)).as("the spec survives config.json").contains(spec);
    byte[] weights = Files.readAllBytes(whole.resolve(Checkpoint.MODEL));

    TrainingRuns.Result again = RUNS.reuseOrTrain(spec, whole, false, events);
    assertThat(again.outcome()).isEqualTo(TrainingRuns.Outcome.REUSED);
    assertThat(again.last()).as("no step taken").isNull();
    assertThat(messages).anyMatch(m -> m.contains("reusing " + whole));
    assertThat(RUNS.reuseOrTrain(spec, whole, true, events).outcome()).as("fresh").isEqualTo(TrainingRuns.Outcome.TRAINED);
    assertThat(Files.readAllBytes(whole.resolve(Checkpoint.MODEL))).as("same spec, same weights").isEqualTo(weights);

    Path interrupted = tmp.resolve("interrupted");
    TrainingRuns.Result half = RUNS.start(spec, interrupted, new TrainingRuns.Budget(2, 500), events);
    assertThat(half.step()).isEqualTo(2);
    assertThat(RUNS.reuseOrTrain(spec, interrupted, false, events).outcome()).isEqualTo(TrainingRuns.Outcome.RESUMED);
    assertThat(Files.readAllBytes(interrupted.resolve(Checkpoint.MODEL))).as("resumed = uninterrupted")
        .isEqualTo(weights);

    TrainingConfig otherRate = spec.withLearningRate(spec.learningRate() / 2);
    TrainingRuns.Result retrained = RUNS.reuseOrTrain(otherRate, whole, false, events);
    assertThat(retrained.outcome()).isEqualTo(TrainingRuns.Outcome.TRAINED);
    assertThat(TrainingRuns.recorded(whole)).contains(otherRate);
  }

  @Test
  void aFineTuneRecordsItsBaseAndAnotherBaseIsAnotherSpec() throws IOException {
    Path base = tmp.resolve("base");
    RUNS.start(spec(2), base, TrainingRuns.Budget.toTheEnd(), events);
    TrainingConfig tune = spec(2).withInit(tmp.resolve("x/../base"));
    assertThat(tune.init()).as("absolute and normalised").isEqualTo(base.toAbsolutePath().normalize().toString());
    Path tuned = tmp.resolve("tuned");
    RUNS.reuseOrTrain(tune, tuned, false, events);
    assertThat(Checkpoint.read(tuned).json().get("initialized_from").asText()).contains(base.toString());
    assertThat(RUNS.reuseOrTrain(spec(2).withInit(base), tuned, false, events).outcome())
        .isEqualTo(TrainingRuns.Outcome.REUSED);
    assertThat(RUNS.reuseOrTrain(spec(2), tuned, false, events).outcome()).as("no base is another spec")
        .isEqualTo(TrainingRuns.Outcome.TRAINED);
  }

  @Test
  void aCheckpointThatRecordsNoSpecStillLoadsButIsNeverReused() throws IOException {
    TrainingConfig spec = spec(2);
    Path old = tmp.resolve("old");
    RUNS.start(spec, old, TrainingRuns.Budget.toTheEnd(), events);
    // As written before the spec was recorded: no loss, no init in the training section.
    ObjectMapper json = new ObjectMapper();
    ObjectNode config = (ObjectNode) json.readTree(old.resolve(Checkpoint.CONFIG).toFile());
    ((ObjectNode) config.get("training")).remove(List.of("loss", "init"));
    Files.writeString(old.resolve(Checkpoint.CONFIG), json.writeValueAsString(config));
    Manifest.write(old);

    try (Checkpoint.Loaded loaded = Checkpoint.load(old)) {
      assertThat(loaded.info().training().lossName()).isEqualTo(TrainingConfig.DEFAULT_LOSS);
    }
    assertThat(TrainingRuns.recorded(old)).isEmpty();
    assertThat(RUNS.reuseOrTrain(spec, old, false, events).outcome()).isEqualTo(TrainingRuns.Outcome.TRAINED);
    assertThat(TrainingRuns.recorded(old)).contains(spec);
  }

  @Test
  void startRefusesAFolderThatHoldsSomething() throws IOException {
    Path taken = Files.createDirectories(tmp.resolve("taken"));
    Files.writeString(taken.resolve("notes.txt"), "mine");
    assertThatThrownBy(() -> RUNS.start(spec(1), taken, TrainingRuns.Budget.toTheEnd(), events))
        .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("already holds a run");
    assertThatThrownBy(() -> new TrainingRuns.Budget(null, 0)).hasMessageContaining("saveEvery (--save-every) must be > 0");
  }
}
