package org.aia4j.api.tokenizer;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class ImageTokenizerChecksTest {

  @Test
  void imageOfTheWrongSizeNamesBothSizes() {
    var image = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);

    assertThatThrownBy(() -> ImageTokenizer.checkImage(image, 32))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Expected a 32x32 image, got 64x48; resize it first");
    var right = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
    assertThatCode(() -> ImageTokenizer.checkImage(right, 32)).doesNotThrowAnyException();
  }

  @Test
  void codesOfTheWrongLengthOrOutOfRangeAreRejected() {
    assertThatThrownBy(() -> ImageTokenizer.checkCodes(new int[63], 64, 256))
        .hasMessage("Expected 64 image tokens, got 63");
    assertThatThrownBy(() -> ImageTokenizer.checkCodes(null, 64, 256))
        .hasMessage("Expected 64 image tokens, got null");
    assertThatThrownBy(() -> ImageTokenizer.checkCodes(new int[] {0, 255, 256, 3}, 4, 256))
        .hasMessage("Image token 256 at position 2 is outside the codebook [0, 256)");
    assertThatThrownBy(() -> ImageTokenizer.checkCodes(new int[] {-1}, 1, 256))
        .hasMessageContaining("Image token -1 at position 0");
    assertThatCode(() -> ImageTokenizer.checkCodes(new int[] {0, 255}, 2, 256))
        .doesNotThrowAnyException();
  }
}
