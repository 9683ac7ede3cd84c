package org.aia4j.evaluation.fashion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;
import org.aia4j.evaluation.fashion.FashionMnist.Split;
import org.aia4j.testkit.DebianDatasets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

  @TempDir
  Path tmp;

  /** Debian's copy; on CI it must be there (.ci/run installs it), elsewhere its tests are skipped. */
  static Path installedCopy() {
    return DebianDatasets.fashionMnist();
  }

  @Test
  void readsBothSplitsWithTheirOfficialCountsAndKnownFirstItems() throws IOException {
    Path dir = installedCopy();
    FashionItems train = FashionMnist.read(dir, Split.TRAIN);
    FashionItems test = FashionMnist.read(dir, Split.TEST);

    assertThat(train.size()).isEqualTo(60_000);
    assertThat(test.size()).isEqualTo(10_000);
    int[] perClass = new int[10];
    for (int i = 0; i < test.size(); i++) {
      perClass[test.label(i).datasetLabel()]++;
    }
    assertThat(perClass).containsOnly(1_000);
    // The first items, as Python's gzip + struct read them from the same files.
    assertThat(train.label(0)).isEqualTo(FashionClass.ANKLE_BOOT);
    assertThat(train.label(1)).isEqualTo(FashionClass.TSHIRT);
    assertThat(train.label(3)).isEqualTo(FashionClass.DRESS);
    assertThat(test.label(1)).isEqualTo(FashionClass.PULLOVER);
    int sum = 0;
    for (int v : train.image(0)) {
      sum += v;
    }
    assertThat(sum).isEqualTo(76_247);
    byte[] row = new byte[FashionMnist.SIDE];
    for (int x = 0; x < row.length; x++) {
      row[x] = (byte) train.ink(0, x, 14);
    }
    assertThat(HexFormat.of().formatHex(row)).isEqualTo("000001040607020000000000ede2d9dfdedbdeddd8dfe5d7daff4d00");
  }

  @Test
  void aMissingFileSaysHowToInstallTheDataset() {
    assertThatThrownBy(() -> FashionMnist.read(tmp, Split.TEST))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(Split.TEST.imagesFile())
        .hasMessageContaining("apt-get install dataset-fashion-mnist");
  }

  @Test
  void aTruncatedImagesFileIsRefusedNamingIt() throws IOException {
    writeLabels(tmp, Split.TEST, 3);
    writeImages(tmp, Split.TEST, 3, 28, 28, 3 * 784 - 10);
    assertThatThrownBy(() -> FashionMnist.read(tmp, Split.TEST))
        .hasMessageContaining(Split.TEST.imagesFile())
        .hasMessageContaining("truncated");
  }

  @Test
  void filesOfDifferentCopiesAreRefused() throws IOException {
    writeLabels(tmp, Split.TEST, 3);
    writeImages(tmp, Split.TEST, 4, 28, 28, 4 * 784);
    assertThatThrownBy(() -> FashionMnist.read(tmp, Split.TEST))
        .hasMessageContaining("holds 4 images but its labels file holds 3 labels");
  }

  @Test
  void aWrongMagicOrSizeOrLabelIsRefused() throws IOException {
    writeLabels(tmp, Split.TEST, 2);
    writeImages(tmp, Split.TEST, 2, 32, 32, 2 * 1024);
    assertThatThrownBy(() -> FashionMnist.read(tmp, Split.TEST)).hasMessageContaining("32x32");

    // The images file given as the labels file: its magic says so.
    Files.copy(tmp.resolve(Split.TEST.imagesFile()), tmp.resolve(Split.TEST.labelsFile()),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> FashionMnist.read(tmp, Split.TEST))
        .hasMessageContaining("magic number 0x00000803, expected 0x00000801");

    try (DataOutputStream out = gzip(tmp.resolve(Split.TEST.labelsFile()))) {
      out.writeInt(0x0801);
      out.writeInt(2);
      out.write(new byte[] {3, 12});
    }
    assertThatThrownBy(() -> FashionMnist.read(tmp, Split.TEST)).hasMessageContaining("label 12 of item 1");
  }

  @Test
  void aFileThatIsNotGzipIsRefusedNamingIt() throws IOException {
    Files.writeString(tmp.resolve(Split.TEST.labelsFile()), "not gzip");
    Files.writeString(tmp.resolve(Split.TEST.imagesFile()), "not gzip");
    assertThatThrownBy(() -> FashionMnist.read(tmp, Split.TEST))
        .hasMessageContaining(Split.TEST.labelsFile())
        .hasMessageContaining("not a gzip file");
  }

  @Test
  void smallValidFilesRoundTrip() throws IOException {
    writeLabels(tmp, Split.TRAIN, 2);
    writeImages(tmp, Split.TRAIN, 2, 28, 28, 2 * 784);
    FashionItems items = FashionMnist.read(tmp, Split.TRAIN);
    assertThat(items.size()).isEqualTo(2);
    assertThat(items.label(1)).isEqualTo(FashionClass.TROUSER);
    assertThat(items.ink(1, 5, 0)).isEqualTo((784 + 5) % 256);
  }

  private static void writeLabels(Path dir, Split split, int count) throws IOException {
    try (DataOutputStream out = gzip(dir.resolve(split.labelsFile()))) {
      out.writeInt(0x0801);
      out.writeInt(count);
      for (int i = 0; i < count; i++) {
        out.write(i % 10);
      }
    }
  }

  private static void writeImages(Path dir, Split split, int count, int rows, int columns, int bytes)
      throws IOException {
    try (DataOutputStream out = gzip(dir.resolve(split.imagesFile()))) {
      out.writeInt(0x0803);
      out.writeInt(count);
      out.writeInt(rows);
      out.writeInt(columns);
      for (int i = 0; i < bytes; i++) {
        out.write(i % 256);
      }
    }
  }

  private static DataOutputStream gzip(Path file) throws IOException {
    return new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(file)));
  }
}
