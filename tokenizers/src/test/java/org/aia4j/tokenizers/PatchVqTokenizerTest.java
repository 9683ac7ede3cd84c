package org.aia4j.tokenizers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A hand-made codebook: 2x2 patches over 4x4 images, so every pixel can be checked. */
class PatchVqTokenizerTest {

  private static final int GREY = 0x999999;
  private static final int RED = 0xE01B1B;
  private static final int BLUE = 0x1E50DC;

  /** Code 0 grey, 1 red, 2 blue, 3 red top row over grey; 8 codes of which 4 are used. */
  private final PatchVqTokenizer tokenizer =
      new PatchVqTokenizer(
          4,
          2,
          8,
          List.of(
              new int[] {GREY, GREY, GREY, GREY},
              new int[] {RED, RED, RED, RED},
              new int[] {BLUE, BLUE, BLUE, BLUE},
              new int[] {RED, RED, GREY, GREY}),
          PatchVqTokenizer.Provenance.given());

  private static BufferedImage image(int type, int[][] rows) {
    BufferedImage image = new BufferedImage(rows.length, rows.length, type);
    for (int y = 0; y < rows.length; y++) {
      for (int x = 0; x < rows.length; x++) {
        image.setRGB(x, y, 0xFF000000 | rows[y][x]);
      }
    }
    return image;
  }

  private static int[][] pixels(BufferedImage image) {
    int[][] rows = new int[image.getHeight()][image.getWidth()];
    for (int y = 0; y < rows.length; y++) {
      for (int x = 0; x < rows.length; x++) {
        rows[y][x] = image.getRGB(x, y) & 0xFFFFFF;
      }
    }
    return rows;
  }

  private static final int[][] SCENE = {
    {RED, RED, GREY, GREY},
    {GREY, GREY, GREY, GREY},
    {BLUE, BLUE, RED, RED},
    {BLUE, BLUE, RED, RED},
  };

  @Test
  void encodesPatchesInRasterOrderAndDecodesThemExactly() {
    BufferedImage image = image(BufferedImage.TYPE_INT_RGB, SCENE);

    int[] codes = tokenizer.encode(image);

    assertThat(tokenizer.tokensPerImage()).isEqualTo(4);
    assertThat(codes).containsExactly(3, 0, 2, 1);
    assertThat(pixels(tokenizer.decode(codes))).isDeepEqualTo(SCENE);
  }

  @Test
  void readsEveryImageTypeTheSame() {
    int[] expected = {3, 0, 2, 1};
    for (int type :
        new int[] {
          BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR
        }) {
      assertThat(tokenizer.encode(image(type, SCENE))).as("type %d", type).containsExactly(expected);
    }
  }

  @Test
  void anUnseenPatchGetsTheNearestCodeBySquaredRgbDistance() {
    int nearlyRed = 0xD02020;
    int[][] rows = {
      {nearlyRed, RED, GREY, 0x9A9A9A},
      {RED, RED, GREY, GREY},
      {RED, RED, GREY, GREY},
      {GREY, GREY, GREY, GREY},
    };

    assertThat(tokenizer.encode(image(BufferedImage.TYPE_INT_RGB, rows)))
        .containsExactly(1, 0, 3, 0);
  }

  @Test
  void unusedCodesAreNeverEmittedAndDecodeAsCodeZero() {
    assertThat(tokenizer.usedCodes()).isEqualTo(4);
    assertThat(tokenizer.codebookSize()).isEqualTo(8);

    BufferedImage decoded = tokenizer.decode(new int[] {7, 4, 1, 5});

    assertThat(pixels(decoded)[0]).containsExactly(GREY, GREY, GREY, GREY);
    assertThat(pixels(decoded)[2]).containsExactly(RED, RED, GREY, GREY);
    assertThat(tokenizer.patch(6)).isEqualTo(tokenizer.patch(0));
    assertThat(tokenizer.encode(decoded)).containsExactly(0, 0, 1, 0);
  }

  @Test
  void rejectsAnImageOfTheWrongSize() {
    BufferedImage big = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);

    assertThatThrownBy(() -> tokenizer.encode(big))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Expected a 4x4 image, got 8x8; resize it first");
    assertThatThrownBy(() -> tokenizer.encode(null)).hasMessageContaining("got null");
  }

  @Test
  void rejectsOutOfRangeCodesAndWrongLengths() {
    assertThatThrownBy(() -> tokenizer.decode(new int[] {0, 8, 0, 0}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Image token 8 at position 1 is outside the codebook [0, 8)");
    assertThatThrownBy(() -> tokenizer.decode(new int[] {0, 0, 0, -1}))
        .hasMessageContaining("Image token -1 at position 3");
    assertThatThrownBy(() -> tokenizer.decode(new int[3]))
        .hasMessage("Expected 4 image tokens, got 3");
    assertThatThrownBy(() -> tokenizer.patch(8)).hasMessageContaining("outside the codebook");
  }

  @Test
  void rejectsCodebooksThatDoNotFit() {
    var provenance = PatchVqTokenizer.Provenance.given();
    List<int[]> one = List.of(new int[] {GREY, GREY, GREY, GREY});

    assertThatThrownBy(() -> new PatchVqTokenizer(5, 2, 8, one, provenance))
        .hasMessageContaining("multiple of the patch size 2, got 5");
    assertThatThrownBy(() -> new PatchVqTokenizer(4, 2, 8, List.of(new int[3]), provenance))
        .hasMessage("Code 0 has 3 pixels; a 2x2 patch has 4");
    assertThatThrownBy(() -> new PatchVqTokenizer(4, 2, 0, one, provenance))
        .hasMessageContaining("Expected 1 to 0 code patches");
    assertThatThrownBy(
            () -> new PatchVqTokenizer(4, 2, 8, List.of(new int[] {-1, 0, 0, 0}), provenance))
        .hasMessageContaining("not a 0xRRGGBB colour");
  }

  @Test
  void aRepeatedPatchEncodesAsItsLowestCode() {
    var twice =
        new PatchVqTokenizer(
            2,
            2,
            4,
            List.of(new int[] {RED, RED, RED, RED}, new int[] {RED, RED, RED, RED}),
            PatchVqTokenizer.Provenance.given());

    assertThat(twice.encode(image(BufferedImage.TYPE_INT_RGB, new int[][] {{RED, RED}, {RED, RED}})))
        .containsExactly(0);
  }
}
