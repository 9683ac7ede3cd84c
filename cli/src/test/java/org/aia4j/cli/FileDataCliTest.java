package org.aia4j.cli;

import static org.aia4j.cli.CliTest.aia;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.aia4j.api.Registries;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.cli.CliTest.Run;
import org.aia4j.djl.checkpoint.Checkpoint;
import org.aia4j.djl.checkpoint.CheckpointInfo;
import org.aia4j.evaluation.data.WorldTrainingData;
import org.aia4j.evaluation.files.FileTrainingData;
import org.aia4j.evaluation.files.TrainingDataWriter;
import org.aia4j.evaluation.world.WorldSpec;
import org.aia4j.tokenizers.PatchVqTrainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aia data export} and {@code aia train --data}, run in-process as a user types them. */
class FileDataCliTest {
  @TempDir
  static Path shared;

  @TempDir
  Path tmp;

  static Path exported;

  @BeforeAll
  static void export() {
    exported = shared.resolve("world-data");
    Run export = aia("data", "export", "--samples", "16", "--seed", "2", "--out", exported.toString());
    assertThat(export.exit()).as(export.err()).isZero();
    assertThat(export.out()).contains("Wrote 16 understanding and 16 generation samples")
        .contains("--data " + exported.resolve("understanding.json"));
  }

  @Test
  void trainsOnDataFilesAndResumesOnlyOnTheSameFiles() throws IOException {
    Path checkpoint = tmp.resolve("run");
    String und = exported.resolve("understanding.json").toString();
    String gen = exported.resolve("generation.jsonl").toString();

    Run train = aia("train", "--data", und, "--data", gen, "--preset", "tiny", "--steps", "2", "--out",
        checkpoint.toString());

    assertThat(train.exit()).as(train.err()).isZero();
    assertThat(train.out()).contains("on files(seed=0, understanding.json sha256=").contains("Saved checkpoint");
    CheckpointInfo info = Checkpoint.read(checkpoint);
    assertThat(info.step()).isEqualTo(2);
    assertThat(info.data()).isEqualTo(FileTrainingData.read(List.of(Path.of(und), Path.of(gen)),
        FileRuns.IMAGE_SIZE, 0).describe());

    Run withoutData = aia("train", "--out", checkpoint.toString(), "--resume", "--steps", "3");
    assertThat(withoutData.exit()).isEqualTo(1);
    assertThat(withoutData.err()).contains("was trained on files(").contains("resume with the same data");

    Run resumed = aia("train", "--data", und, "--data", gen, "--out", checkpoint.toString(), "--resume", "--steps", "3");
    assertThat(resumed.exit()).as(resumed.err()).isZero();
    assertThat(Checkpoint.read(checkpoint).step()).isEqualTo(3);
  }

  @Test
  void bothTasksOnUnderstandingOnlyFilesAreRefusedNamingTheFix() {
    String und = exported.resolve("understanding.json").toString();

    Run both = aia("train", "--data", und, "--tasks", "both", "--preset", "tiny", "--steps", "2", "--out",
        tmp.resolve("both").toString());

    assertThat(both.exit()).isEqualTo(1);
    assertThat(both.err()).contains("hold no generation samples").contains("--tasks both trains generation")
        .contains("add a generation .jsonl").contains("--tasks und");
    assertThat(tmp.resolve("both")).doesNotExist();
  }

  @Test
  void aBadDataFileFailsTheCommandNamingTheFile() throws IOException {
    Path csv = Files.writeString(tmp.resolve("data.csv"), "prompt,image\n");

    Run run = aia("train", "--data", csv.toString(), "--preset", "tiny", "--steps", "2", "--out",
        tmp.resolve("run").toString());

    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).contains(csv + ": unknown data format; known: .json");
  }

  @Test
  void preTokenizedRowsRoundTripAndAreCheckedAgainstTheTokenizer() throws IOException {
    WorldTrainingData world = new WorldTrainingData(WorldSpec.standard(), 7);
    ImageTokenizer tokenizer = PatchVqTrainer.defaults().withCodebookSize(32).withSeed(1)
        .fit(world.tokenizerImages(40, 1));
    Path tokens = TrainingDataWriter.writeTokenized(world, 4, 4, tokenizer, tmp.resolve("tok")).files().get(0);
    assertThat(tokens.getFileName()).hasToString(TrainingDataWriter.TOKENIZED_FILE);
    assertThat(tmp.resolve("tok/images")).isEmptyDirectory();

    FileTrainingData data = FileTrainingData.read(List.of(tokens), 32, 0);

    List<String> expected = new ArrayList<>();
    List<String> actual = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      expected.add(world.understanding(i).prompt() + Arrays.toString(tokenizer.encode(world.understanding(i).image())));
      actual.add(data.understanding(i).prompt() + Arrays.toString(data.understanding(i).imageCodes()));
      expected.add(world.generation(i).prompt() + Arrays.toString(tokenizer.encode(world.generation(i).image())));
      actual.add(data.generation(i).prompt() + Arrays.toString(data.generation(i).imageCodes()));
    }
    assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
    data.checkImageCodes(tokenizer); // the codes of this very tokenizer fit

    List<String> lines = new ArrayList<>(Files.readAllLines(tokens));
    lines.set(1, lines.get(1).replaceFirst("\"codes\":\\[\\d+", "\"codes\":[32"));
    Path outOfRange = Files.write(tmp.resolve("range.jsonl"), lines);
    assertThatThrownBy(() -> FileTrainingData.read(List.of(outOfRange), 32, 0).checkImageCodes(tokenizer))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(outOfRange + " line 2: image code 32 at position 0 is outside the image tokenizer's codebook [0, 32)");

    Path short3 = Files.writeString(tmp.resolve("short.jsonl"),
        "{\"task\": \"generation\", \"prompt\": \"a red circle\", \"codes\": [1, 2, 3]}\n");
    assertThatThrownBy(() -> FileTrainingData.read(List.of(short3), 32, 0).checkImageCodes(tokenizer))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(short3 + " line 1: 3 image codes, but the image tokenizer (patch-vq, 32x32) makes "
            + tokenizer.tokensPerImage() + " per image");
  }

  @Test
  void preTokenizedDataFineTunesACheckpointWhoseTokenizerMadeTheCodes() throws IOException {
    Path base = tmp.resolve("base");
    Run train = aia("train", "--preset", "tiny", "--steps", "2", "--out", base.toString());
    assertThat(train.exit()).as(train.err()).isZero();
    CheckpointInfo info = Checkpoint.read(base);
    ImageTokenizer tokenizer = Registries.imageTokenizers().get(info.imageTokenizer())
        .load(base.resolve(Checkpoint.TOKENIZERS));
    Path tokens = TrainingDataWriter.writeTokenized(new WorldTrainingData(WorldSpec.standard(), 5), 8, 8, tokenizer,
        tmp.resolve("tok")).files().get(0);

    Run fresh = aia("train", "--data", tokens.toString(), "--preset", "tiny", "--steps", "2", "--out",
        tmp.resolve("fresh").toString());
    assertThat(fresh.exit()).isEqualTo(1);
    assertThat(fresh.err()).contains(tokens + " line 1 holds image codes").contains("--init CHECKPOINT");

    Path wrongCodes = Files.writeString(tmp.resolve("wrong.jsonl"),
        "{\"task\": \"generation\", \"prompt\": \"a red circle\", \"codes\": [1, 2, 3]}\n"
            + "{\"task\": \"understanding\", \"prompt\": \"What is it?\", \"answer\": \"a circle\", \"codes\": [1]}\n");
    Run refused = aia("train", "--data", wrongCodes.toString(), "--init", base.toString(), "--preset", "tiny",
        "--steps", "2", "--out", tmp.resolve("refused").toString());
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err()).contains(wrongCodes + " line 2: 1 image codes, but the image tokenizer");

    Run fineTune = aia("train", "--data", tokens.toString(), "--init", base.toString(), "--preset", "tiny", "--steps",
        "2", "--out", tmp.resolve("tuned").toString());
    assertThat(fineTune.exit()).as(fineTune.err()).isZero();
    assertThat(Checkpoint.read(tmp.resolve("tuned")).data()).startsWith("files(seed=0, tokenized.jsonl sha256=");
  }
}
