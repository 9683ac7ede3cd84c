package org.aia4j.cli;

import static org.aia4j.testkit.HostileImages.jpegClaiming;
import static org.aia4j.cli.CliTest.aia;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.aia4j.api.io.AtomicDirectory;
import org.aia4j.cli.CliTest.Run;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI on damaged, hostile or half-written files: each finding of issue 16, as a user meets it. */
class CheckpointsAndFilesCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path shared;

  @TempDir
  Path tmp;

  static Path checkpoint;
  static Path tsv;

  @BeforeAll
  static void trainAndMakeData() {
    checkpoint = shared.resolve("tiny");
    Run train = aia("train", "--preset", "tiny", "--steps", "2", "--out", checkpoint.toString());
    assertThat(train.exit()).as(train.err()).isZero();
    tsv = shared.resolve("mmbench.tsv");
    Run data = aia("data", "mmbench", "--out", tsv.toString(), "--questions", "4", "--seed", "3");
    assertThat(data.exit()).as(data.err()).isZero();
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : files.toList()) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    }
  }

  private List<String> names(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** The state a kill between AtomicDirectory's renames leaves: the old and the new checkpoint beside --out. */
  @Test
  void resumeRecoversACheckpointWhoseSaveWasKilledBetweenTheRenames() throws Exception {
    Path run = tmp.resolve("run");
    copyTree(checkpoint, tmp.resolve(".run.ready.5"));
    copyTree(checkpoint, tmp.resolve(".run.old.5"));
    Files.createDirectories(tmp.resolve(".run.tmp.6")); // a third, half-written save
    assertThat(run).doesNotExist();

    Run resumed = aia("train", "--out", run.toString(), "--resume", "--steps", "3");
    assertThat(resumed.exit()).as(resumed.err()).isZero();
    assertThat(resumed.out()).contains("Recovered " + run + " from .run.ready.5 (an interrupted save)");
    assertThat(JSON.readTree(run.resolve("config.json").toFile()).get("step").asInt()).isEqualTo(3);
    assertThat(names(tmp)).containsExactly("run");
  }

  @Test
  void theFoldersAnOlderVersionLeftAreRecoveredToo() throws Exception {
    // Before the fix: the old checkpoint in .run.old.N, the new one in the staging folder .run.M.
    Path run = tmp.resolve("run");
    copyTree(checkpoint, tmp.resolve(".run.old.11"));
    copyTree(checkpoint, tmp.resolve(".run.12"));
    Files.delete(tmp.resolve(".run.12/MANIFEST.sha256")); // a staging folder the writer had not finished
    Run eval = aia("eval", "--checkpoint", run.toString(), "--benchmarks", "mmbench", "--limit", "1",
        "--out", tmp.resolve("e").toString());
    assertThat(eval.exit()).as(eval.err()).isZero();
    assertThat(names(tmp)).containsExactly("e", "run");
  }

  @Test
  void aDamagedCheckpointIsRefusedByTheCliNamingFileAndField() throws Exception {
    Path dir = tmp.resolve("million");
    copyTree(checkpoint, dir);
    var config = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
    ((com.fasterxml.jackson.databind.node.ObjectNode) config.get("model")).put("layers", 1_000_000).put("fork", 1_000_000);
    Files.writeString(dir.resolve("config.json"), JSON.writeValueAsString(config));
    org.aia4j.api.checkpoint.Manifest.write(dir);
    for (String backend : List.of("djl", "onnx")) {
      long start = System.nanoTime();
      Run eval = aia("eval", "--checkpoint", dir.toString(), "--backend", backend, "--out", tmp.resolve("e").toString());
      assertThat(eval.exit()).isEqualTo(1);
      assertThat(eval.err()).contains(dir.resolve("config.json") + ": invalid model section: layers must be <= 1024");
      assertThat((System.nanoTime() - start) / 1e9).isLessThan(20);
      assertThat(tmp.resolve("e")).doesNotExist();
    }
  }

  @Test
  void evalChecksItsTsvBeforeLoadingTheModelAndLeavesNothing() throws Exception {
    List<String> lines = Files.readAllLines(tsv);
    int answer = List.of(lines.get(0).split("\t", -1)).indexOf("answer");
    Path noAnswers = tmp.resolve("test-split.tsv");
    List<String> stripped = new ArrayList<>();
    for (String line : lines) {
      List<String> cells = new ArrayList<>(List.of(line.split("\t", -1)));
      cells.remove(answer);
      stripped.add(String.join("\t", cells));
    }
    Files.write(noAnswers, stripped);
    Path out = tmp.resolve("e");
    Run eval = aia("eval", "--checkpoint", checkpoint.toString(), "--benchmarks", "geneval,mmbench",
        "--mmbench-tsv", noAnswers.toString(), "--out", out.toString());
    assertThat(eval.exit()).isEqualTo(1);
    assertThat(eval.err()).contains(noAnswers + ": missing required column 'answer'");
    assertThat(eval.out()).doesNotContain("Running"); // nothing ran
    assertThat(out).doesNotExist();
  }

  @Test
  void anEvalThatFailsMidRunRemovesWhatItWroteAndNothingElse() throws Exception {
    // The first image's header is fine, its pixels cut short: found only when mmbench decodes it,
    // after geneval has run and written its folder.
    List<String> lines = new ArrayList<>(Files.readAllLines(tsv));
    List<String> header = List.of(lines.get(0).split("\t", -1));
    String[] cells = lines.get(1).split("\t", -1);
    byte[] png = Base64.getDecoder().decode(cells[header.indexOf("image")]);
    cells[header.indexOf("image")] = Base64.getEncoder().encodeToString(Arrays.copyOf(png, png.length / 2));
    lines.set(1, String.join("\t", cells));
    Path truncated = tmp.resolve("truncated.tsv");
    Files.write(truncated, lines);

    Path fresh = tmp.resolve("fresh");
    Run eval = aia("eval", "--checkpoint", checkpoint.toString(), "--benchmarks", "geneval,mmbench", "--limit", "1",
        "--samples", "1", "--mmbench-tsv", truncated.toString(), "--out", fresh.toString());
    assertThat(eval.exit()).isEqualTo(1);
    assertThat(eval.out()).contains("geneval: overall"); // geneval ran and wrote its results
    assertThat(eval.err()).contains("row index 0");
    assertThat(fresh).doesNotExist();

    Path existing = Files.createDirectories(tmp.resolve("existing"));
    Files.writeString(existing.resolve("keep.txt"), "mine");
    Run again = aia("eval", "--checkpoint", checkpoint.toString(), "--benchmarks", "geneval,mmbench", "--limit", "1",
        "--samples", "1", "--mmbench-tsv", truncated.toString(), "--out", existing.toString());
    assertThat(again.exit()).isEqualTo(1);
    assertThat(names(existing)).containsExactly("keep.txt");
  }

  @Test
  void scoreGenevalRefusesAHugeImageHeaderAtOnce() throws Exception {
    Path images = tmp.resolve("images");
    Run render = aia("render", "--metadata", writeMetadata().toString(), "--out", images.toString(), "--samples", "1");
    assertThat(render.exit()).as(render.err()).isZero();
    Path sample = images.resolve("00000/samples/0000.png");
    Files.write(sample, jpegClaiming(30000));
    long start = System.nanoTime();
    Run score = aia("score", "geneval", "--images", images.toString(), "--out", tmp.resolve("s").toString());
    double seconds = (System.nanoTime() - start) / 1e9;
    assertThat(score.exit()).isEqualTo(1);
    assertThat(score.err()).contains(sample + ": the image's header says 30000x30000 pixels");
    assertThat(seconds).isLessThan(5);
    assertThat(tmp.resolve("s")).doesNotExist();

    Files.move(images.resolve("00000"), images.resolve("12345678901234567890"));
    Files.delete(images.resolve("12345678901234567890/samples/0000.png"));
    Files.write(images.resolve("12345678901234567890/samples/0000.png"),
        Files.readAllBytes(images.resolve("00001/samples/0000.png")));
    Run twenty = aia("score", "geneval", "--images", images.toString(), "--out", tmp.resolve("s").toString());
    assertThat(twenty.exit()).as(twenty.err()).isZero();
    assertThat(twenty.err()).doesNotContain("For input string");
  }

  @Test
  void aTsvThatIsNotUtf8IsNamedWithItsLine() throws Exception {
    byte[] bytes = Files.readAllBytes(tsv);
    int second = 0;
    while (bytes[second] != '\n') {
      second++;
    }
    bytes[second + 4] = (byte) 0xFF;
    Path latin = tmp.resolve("latin.tsv");
    Files.write(latin, bytes);
    Files.writeString(tmp.resolve("p.tsv"), "0\tA\n");
    Run score = aia("score", "mmbench", "--data", latin.toString(), "--predictions", tmp.resolve("p.tsv").toString(),
        "--out", tmp.resolve("s").toString());
    assertThat(score.exit()).isEqualTo(1);
    assertThat(score.err()).contains(latin + " line 2 (byte " + (second + 4) + "): not UTF-8 text")
        .doesNotContain("Input length");
    assertThat(tmp.resolve("s")).doesNotExist();
  }

  /** A command that creates its --out and fails: the strategy every aia command runs under removes it. */
  @CommandLine.Command(name = "fails")
  static final class CreatesThenFails implements Callable<Integer> {
    @CommandLine.Option(names = "--out")
    Path out;

    @CommandLine.Option(names = "--write")
    boolean write;

    @Override
    public Integer call() throws Exception {
      Files.createDirectories(out);
      if (write) {
        Files.writeString(out.resolve("partial.txt"), "half");
      }
      throw new IOException("disk full (simulated)");
    }
  }

  @Test
  void aFailedCommandLeavesNoEmptyOut() throws Exception {
    CommandLine cli = new CommandLine(new CreatesThenFails());
    cli.setErr(new PrintWriter(new StringWriter()));
    cli.setExecutionStrategy(new AiaCommand.NoEmptyOutput(new CommandLine.RunLast()));
    Path out = tmp.resolve("out");
    assertThat(cli.execute("--out", out.toString())).isNotZero();
    assertThat(out).doesNotExist();
    // A folder that existed before is left, and so is one holding what the command wrote.
    Files.createDirectories(tmp.resolve("mine"));
    assertThat(cli.execute("--out", tmp.resolve("mine").toString())).isNotZero();
    assertThat(tmp.resolve("mine")).isDirectory();
    // Without the strategy the empty folder would stay.
    CommandLine plain = new CommandLine(new CreatesThenFails());
    plain.setErr(new PrintWriter(new StringWriter()));
    assertThat(plain.execute("--out", out.toString())).isNotZero();
    assertThat(out).isEmptyDirectory();
    AtomicDirectory.deleteTree(out);
  }

  private Path writeMetadata() throws IOException {
    Path metadata = tmp.resolve("metadata.jsonl");
    Files.writeString(metadata,
        "{\"tag\": \"single_object\", \"include\": [{\"class\": \"circle\", \"count\": 1}], \"prompt\": \"a photo of a circle\"}\n"
            + "{\"tag\": \"single_object\", \"include\": [{\"class\": \"square\", \"count\": 1}], \"prompt\": \"a photo of a square\"}\n");
    return metadata;
  }
}
