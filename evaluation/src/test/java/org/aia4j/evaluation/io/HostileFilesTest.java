package org.aia4j.evaluation.io;

import static org.aia4j.testkit.HostileImages.jpegClaiming;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.aia4j.evaluation.geneval.GenEvalEntry;
import org.aia4j.evaluation.geneval.GenEvalLayout;
import org.aia4j.evaluation.geneval.GenEvalOracle;
import org.aia4j.evaluation.geneval.GenEvalScorer;
import org.aia4j.evaluation.geneval.GenEvalSuite;
import org.aia4j.evaluation.mmbench.CircularEval;
import org.aia4j.evaluation.mmbench.MmbenchBenchmark;
import org.aia4j.evaluation.mmbench.MmbenchSuite;
import org.aia4j.evaluation.mmbench.MmbenchTsv;
import org.aia4j.evaluation.world.Shape;
import org.aia4j.evaluation.world.ShapesWorld;
import org.aia4j.evaluation.world.WorldSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file-format readers against files a careless user or an attacker would hand them. */
class HostileFilesTest {
  @TempDir
  Path tmp;

  @Test
  void aHugeImageHeaderIsRefusedBeforeDecodingInUnderASecond() throws Exception {
    Path dir = tmp.resolve("images");
    GenEvalLayout.writePrompt(dir, 0, GenEvalSuite.singleObject(Shape.CIRCLE), List.of());
    Path sample = dir.resolve("00000/samples/0000.png");
    Files.write(sample, jpegClaiming(30000));
    long start = System.nanoTime();
    assertThatThrownBy(() -> GenEvalScorer.score(ShapesWorld.standard(), dir, tmp.resolve("out")))
        .hasMessage(sample + ": the image's header says 30000x30000 pixels, more than the 16777216 (4096x4096) an"
            + " image may have; it is refused before decoding");
    assertThat((System.nanoTime() - start) / 1e9).as("seconds").isLessThan(1.0);
    assertThat(tmp.resolve("out")).doesNotExist();
    // Within the budget the same kind of file decodes.
    assertThat(Images.fromBytes(jpegClaiming(16), "small").getWidth()).isEqualTo(16);
  }

  @Test
  void folderAndSampleNamesOfTwentyDigitsAreNumbersNotErrors() throws Exception {
    Path dir = tmp.resolve("images");
    GenEvalOracle oracle = new GenEvalOracle(WorldSpec.standard());
    GenEvalLayout.writePrompt(dir, 0, GenEvalSuite.singleObject(Shape.CIRCLE),
        oracle.images(GenEvalSuite.singleObject(Shape.CIRCLE), 0, 1, 1));
    Path big = dir.resolve("99999999999999999999");
    Files.createDirectories(dir.resolve("00000000000000000007"));
    Files.move(dir.resolve("00000"), big);
    GenEvalLayout.writePrompt(dir.resolve("x"), 0, GenEvalSuite.singleObject(Shape.SQUARE),
        oracle.images(GenEvalSuite.singleObject(Shape.SQUARE), 0, 1, 1));
    Files.move(dir.resolve("x/00000"), dir.resolve("00000000000000000007"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    List<GenEvalEntry> entries = GenEvalLayout.read(dir);
    assertThat(entries).extracting(e -> e.folder().getFileName().toString())
        .containsExactly("00000000000000000007", "99999999999999999999");

    Files.move(big.resolve("samples/0000.png"), big.resolve("samples/00000000000000000000.png"));
    Files.copy(big.resolve("samples/00000000000000000000.png"), big.resolve("samples/12345678901234567890.png"));
    assertThatThrownBy(() -> GenEvalLayout.read(dir))
        .hasMessageContaining(big.resolve("samples/00000000000000000001.png").toString())
        .hasMessageContaining("sample image is missing").hasMessageNotContaining("For input string");
  }

  @Test
  void textThatIsNotUtf8IsNamedWithItsLineAndByte() throws Exception {
    Path tsv = tmp.resolve("latin1.tsv");
    MmbenchTsv.write(tsv, CircularEval.expand(MmbenchSuite.questions(WorldSpec.standard(), 1, 2)));
    byte[] good = Files.readAllBytes(tsv);
    int secondLine = indexOf(good, (byte) '\n') + 1;
    byte[] bad = Arrays.copyOf(good, good.length);
    bad[secondLine + 3] = (byte) 0xE9; // 'é' in Latin-1
    Files.write(tsv, bad);
    assertThatThrownBy(() -> MmbenchTsv.read(tsv))
        .hasMessage(tsv + " line 2 (byte " + (secondLine + 3) + "): not UTF-8 text; save or convert the file as"
            + " UTF-8 (e.g. iconv -f latin1 -t utf-8)")
        .hasMessageNotContaining("Input length");

    Path metadata = tmp.resolve("metadata.jsonl");
    String line = "{\"tag\": \"single_object\", \"prompt\": \"a caf\u00e9\"}";
    Files.write(metadata, ("\n" + line + "\n").getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> org.aia4j.evaluation.geneval.GenEvalMetadata.read(metadata))
        .hasMessageStartingWith(metadata + " line 2 (byte " + (1 + line.indexOf('\u00e9')) + "): not UTF-8 text");
  }

  @Test
  void mmbenchIndicesAreNumbersSoZeroAndDoubleZeroAreOneRowTwice() throws Exception {
    Path tsv = tmp.resolve("dup.tsv");
    MmbenchTsv.write(tsv, CircularEval.expand(MmbenchSuite.questions(WorldSpec.standard(), 1, 2)));
    List<String> lines = new java.util.ArrayList<>(Files.readAllLines(tsv));
    String first = lines.get(1);
    assertThat(first).startsWith("0\t");
    lines.add("00" + first.substring(1));
    Files.write(tsv, lines);
    assertThatThrownBy(() -> MmbenchTsv.read(tsv))
        .hasMessage(tsv + " line " + lines.size() + ": index 0 ('00') also appears on line 2 ('0')");
  }

  @Test
  void anMmbenchSuiteIsCheckedForScoringBeforeAnyModelRuns() throws Exception {
    Path tsv = tmp.resolve("suite.tsv");
    MmbenchTsv.write(tsv, CircularEval.expand(MmbenchSuite.questions(WorldSpec.standard(), 1, 3)));
    assertThat(MmbenchBenchmark.fromFile(tsv).size()).isEqualTo(3);
    List<String> lines = Files.readAllLines(tsv);
    List<String> header = List.of(lines.get(0).split("\t", -1));

    Path noAnswers = tmp.resolve("test-split.tsv");
    Files.write(noAnswers, lines.stream().map(l -> dropColumn(l, header.indexOf("answer"))).toList());
    assertThatThrownBy(() -> MmbenchBenchmark.fromFile(noAnswers))
        .hasMessageStartingWith(noAnswers + ": missing required column 'answer'");

    Path badImage = tmp.resolve("bad-image.tsv");
    List<String> edited = new java.util.ArrayList<>(lines);
    String[] cells = edited.get(1).split("\t", -1);
    cells[header.indexOf("image")] = java.util.Base64.getEncoder().encodeToString(new byte[100]);
    edited.set(1, String.join("\t", cells));
    Files.write(badImage, edited);
    assertThatThrownBy(() -> MmbenchBenchmark.fromFile(badImage))
        .hasMessage("Not a PNG or JPEG image: " + badImage + " row index 0");

    Path hugeImage = tmp.resolve("huge-image.tsv");
    cells[header.indexOf("image")] = java.util.Base64.getEncoder().encodeToString(jpegClaiming(30000));
    edited.set(1, String.join("\t", cells));
    Files.write(hugeImage, edited);
    assertThatThrownBy(() -> MmbenchBenchmark.fromFile(hugeImage))
        .hasMessageContaining(hugeImage + " row index 0: the image's header says 30000x30000 pixels");
  }

  private static String dropColumn(String line, int column) {
    List<String> cells = new java.util.ArrayList<>(List.of(line.split("\t", -1)));
    cells.remove(column);
    return String.join("\t", cells);
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
