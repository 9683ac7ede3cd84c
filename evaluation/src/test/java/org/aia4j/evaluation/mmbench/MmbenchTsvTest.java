package org.aia4j.evaluation.mmbench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.aia4j.evaluation.io.Images;
import org.aia4j.evaluation.world.WorldSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MmbenchTsvTest {
  static final Path OFFICIAL = Path.of("src/test/resources/mmbench/mmbench_dev_en_sample.tsv");

  @TempDir
  Path dir;

  @Test
  void roundTripsGeneratedCircularRowsAndWritesEachImageOnce() throws IOException {
    List<MmbenchQuestion> rows = CircularEval.expand(MmbenchSuite.questions(WorldSpec.standard(), 5, 14));
    Path file = dir.resolve("suite.tsv");

    MmbenchTsv.write(file, rows);
    MmbenchTsv.Contents read = MmbenchTsv.read(file);

    assertThat(read.rows()).containsExactlyElementsOf(rows);
    assertThat(read.columns()).containsExactly("index", "question", "hint", "A", "B", "C", "D", "answer", "category",
        "image", "l2-category", "split");
    List<String> lines = Files.readAllLines(file);
    String copyOfZero = lines.stream().filter(l -> l.startsWith("1000000\t")).findFirst().orElseThrow();
    assertThat(copyOfZero.split("\t", -1)[9]).isEqualTo("0");
  }

  @Test
  void roundTripsCellsThatNeedQuoting() throws IOException {
    MmbenchQuestion tricky = new MmbenchQuestion(3, "Say \"cheese\"?\tReally?", "line one\nline two\r\nend",
        AnswerExtractorTest.options("a \"quoted\" option", "b\tc"), "B", "image_topic", "coarse_perception", "dev",
        Images.toBase64Png(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB)));
    Path file = dir.resolve("tricky.tsv");

    MmbenchTsv.write(file, List.of(tricky));

    assertThat(MmbenchTsv.read(file).rows()).containsExactly(tricky);
  }

  @Test
  void readsAnOfficialFile() throws IOException {
    MmbenchTsv.Contents contents = MmbenchTsv.read(OFFICIAL);
    Map<Long, MmbenchQuestion> rows = byIndex(contents.rows());

    assertThat(contents.columns()).contains("source", "comment");
    assertThat(rows).hasSize(9);
    MmbenchQuestion first = rows.get(0L);
    assertThat(first.hint()).isEqualTo("The photo was taken at a \"teddy bear\" picnic.\nLook closely.");
    assertThat(first.options()).containsExactly(Map.entry("A", "teddy bear"), Map.entry("B", "rabbit"),
        Map.entry("C", "cat"), Map.entry("D", "dog"));
    assertThat(first.l2Category()).isEqualTo("coarse_perception");
    assertThat(rows.get(1L).options()).containsOnlyKeys("A", "B");
    assertThat(rows.get(2L).options()).containsOnlyKeys("A", "B", "C");
    assertThat(rows.get(2L).hint()).as("pandas reads 'nan' as NaN: no hint").isEmpty();
    // Rotated copies (and question 2) point at another row's image by index.
    assertThat(rows.get(3_000_000L).image()).isEqualTo(first.image());
    assertThat(rows.get(2L).image()).isEqualTo(rows.get(1L).image());
    assertThat(rows.get(1_000_000L).decodeImage().getRGB(0, 0) & 0xFFFFFF).isEqualTo(0xFF0000);
    assertThat(rows.get(2_000_002L).decodeImage().getRGB(0, 0) & 0xFFFFFF).isEqualTo(0x0000FF);
    assertThat(first.prompt()).startsWith("Hint: The photo was taken at a \"teddy bear\" picnic.\nLook closely.\n"
        + "Question: What is the main object in image?\nOptions:\nA. teddy bear\n");
  }

  @Test
  void readsColumnsInAnyOrderAndIgnoresUnknownOnes() throws IOException {
    List<List<String>> table = table(OFFICIAL);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < table.get(0).size(); i++) {
      order.add(i);
    }
    Collections.reverse(order);
    Path file = dir.resolve("reordered.tsv");
    StringBuilder text = new StringBuilder();
    for (List<String> record : table) {
      List<String> cells = new ArrayList<>();
      order.forEach(i -> cells.add(record.get(i)));
      cells.add(record == table.get(0) ? "g_index" : "0");
      text.append(String.join("\t", cells)).append('\n');
    }
    Files.writeString(file, text);

    assertThat(MmbenchTsv.read(file).rows()).containsExactlyElementsOf(MmbenchTsv.read(OFFICIAL).rows());
  }

  @Test
  void treatsMissingOptionColumnsAndNanCellsAsNoOption() throws IOException {
    String image = MmbenchTsv.read(OFFICIAL).rows().get(0).image();
    Path file = dir.resolve("nan.tsv");
    Files.writeString(file, "index\tquestion\tA\tB\tC\tanswer\timage\n"
        + "4\tWhich?\tleft\tright\tNone\tB\t" + image + "\n"
        + "5\tWhich?\tup\tNaN\t\tA\t4\n");

    Map<Long, MmbenchQuestion> rows = byIndex(MmbenchTsv.read(file).rows());

    assertThat(rows.get(4L).options()).containsExactly(Map.entry("A", "left"), Map.entry("B", "right"));
    assertThat(rows.get(5L).options()).containsExactly(Map.entry("A", "up"));
    assertThat(rows.get(5L).category()).isEmpty();
  }

  @Test
  void namesAMissingRequiredColumnAndTheFile() throws IOException {
    Path file = dir.resolve("no-image.tsv");
    Files.writeString(file, "index\tquestion\tA\tB\tanswer\n1\tWhich?\tx\ty\tA\n");

    assertThatThrownBy(() -> MmbenchTsv.read(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no-image.tsv")
        .hasMessageContaining("missing required column 'image'");
  }

  @Test
  void namesTheRowWhoseImageIsNotBase64() throws IOException {
    Path file = dir.resolve("bad-image.tsv");
    Files.writeString(file, "index\tquestion\tA\tB\tanswer\timage\n"
        + "17\tWhich?\tx\ty\tA\t" + "@@@ this is not base64 at all, it is far longer than sixty-four characters @@@\n");

    assertThatThrownBy(() -> MmbenchTsv.read(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("row index 17")
        .hasMessageContaining("not valid base64");
  }

  @Test
  void namesTheRowWhoseImageRefersToAMissingRow() throws IOException {
    Path file = dir.resolve("dangling.tsv");
    Files.writeString(file, "index\tquestion\tA\tB\tanswer\timage\n1000042\tWhich?\tx\ty\tA\t42\n");

    assertThatThrownBy(() -> MmbenchTsv.read(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("row index 1000042")
        .hasMessageContaining("refers to index 42");
  }

  @Test
  void namesTheLineOfANonIntegerOrRepeatedIndex() throws IOException {
    String image = MmbenchTsv.read(OFFICIAL).rows().get(0).image();
    Path file = dir.resolve("bad-index.tsv");
    Files.writeString(file, "index\tquestion\timage\n1\tq\t" + image + "\n1\tq\t1\nx\tq\t1\n");

    assertThatThrownBy(() -> MmbenchTsv.read(file)).hasMessageContaining("line 3").hasMessageContaining("line 2");
    Files.writeString(file, "index\tquestion\timage\n1\tq\t" + image + "\nx1\tq\t1\n");
    assertThatThrownBy(() -> MmbenchTsv.read(file)).hasMessageContaining("line 3").hasMessageContaining("'x1'");
  }

  @Test
  void readsQuotedCellsHoldingTabsLineBreaksAndQuotesAndCountsTheirLines() throws IOException {
    String image = MmbenchTsv.read(OFFICIAL).rows().get(0).image();
    Path file = dir.resolve("quoted.tsv");
    Files.writeString(file, "index\tquestion\thint\tA\tB\tanswer\timage\n"
        + "1\t\"Which\tone\nof these?\"\t\"say \"\"hi\"\"\r\nthen go\"\tleft\tri\"ght\tA\t" + image + "\n"
        + "1\tq\t\t\t\tA\t1\n");

    // Line 2's record runs over three lines, so the repeated index is on line 5.
    assertThatThrownBy(() -> MmbenchTsv.read(file)).hasMessageContaining("line 5").hasMessageContaining("line 2");
    Files.writeString(file, Files.readString(file).replace("1\tq\t", "2\tq\t"));
    Map<Long, MmbenchQuestion> rows = byIndex(MmbenchTsv.read(file).rows());
    assertThat(rows.get(1L).question()).isEqualTo("Which\tone\nof these?");
    assertThat(rows.get(1L).hint()).isEqualTo("say \"hi\"\r\nthen go");
    assertThat(rows.get(1L).options()).containsExactly(Map.entry("A", "left"), Map.entry("B", "ri\"ght"));
    assertThat(rows.get(2L).image()).isEqualTo(image);
  }

  @Test
  void namesTheFileAndLineOfAMalformedRow() throws IOException {
    String image = MmbenchTsv.read(OFFICIAL).rows().get(0).image();
    Path file = dir.resolve("malformed.tsv");
    Files.writeString(file, "index\tquestion\timage\n1\tq\t" + image + "\n2\tq\t1\textra\n");

    assertThatThrownBy(() -> MmbenchTsv.read(file))
        .isInstanceOf(IOException.class)
        .hasMessage(file + " line 3: 4 cells but the header has 3 columns");

    Files.writeString(file, "index\tquestion\timage\n1\tq\t" + image + "\n2\t\"never closed\t1\n");
    assertThatThrownBy(() -> MmbenchTsv.read(file))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(file + " line ")
        .hasMessageContaining("quote");
  }

  static Map<Long, MmbenchQuestion> byIndex(List<MmbenchQuestion> rows) {
    Map<Long, MmbenchQuestion> map = new java.util.LinkedHashMap<>();
    rows.forEach(r -> map.put(r.index(), r));
    return map;
  }

  /** The fixture split into cells; its only quoted cells (the hints) hold no tabs. */
  private static List<List<String>> table(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    List<List<String>> table = new ArrayList<>();
    for (String record : text.split("\r\n")) {
      table.add(Arrays.asList(record.split("\t", -1)));
    }
    return table;
  }
}
