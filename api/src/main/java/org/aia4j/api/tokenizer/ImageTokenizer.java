package org.aia4j.api.tokenizer;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Turns a square image into a fixed number of discrete codes (e.g. a VQ codebook over patches)
 * and back. Codes are local to the tokenizer, in {@code [0, codebookSize)}; the model offsets
 * them into its vocabulary.
 *
 * <p>Implementations reject bad input rather than guess: use {@link #checkImage} and {@link
 * #checkCodes} so every tokenizer fails with the same clear messages.
 */
public interface ImageTokenizer {

  /** @return the provider name that loads this tokenizer back, e.g. {@code patch-vq} */
  String kind();

  /** @return the version of this kind's on-disk format */
  int version();

  /** @return the number of distinct codes */
  int codebookSize();

  /** @return the side, in pixels, of the square images it reads and writes */
  int imageSize();

  /** @return the number of codes per image, in raster order */
  int tokensPerImage();

  /**
   * How many codes, from 0, this tokenizer actually emits; a model draws image positions only
   * from these. A tokenizer whose codebook holds codes it never emits (e.g. one trained on data
   * with fewer distinct patches than codes) says so here; the default is the whole codebook.
   *
   * @return a count in {@code [1, codebookSize()]}
   */
  default int usedCodes() {
    return codebookSize();
  }

  /**
   * @param image an {@link #imageSize()} x {@link #imageSize()} image
   * @return {@link #tokensPerImage()} codes in raster order
   * @throws IllegalArgumentException if the image has another size, naming expected and actual
   */
  int[] encode(BufferedImage image);

  /**
   * @param tokens {@link #tokensPerImage()} codes, each in {@code [0, codebookSize)}
   * @return the reconstructed image
   * @throws IllegalArgumentException on a wrong length or an out-of-range code
   */
  BufferedImage decode(int[] tokens);

  /**
   * Writes everything {@link ImageTokenizerProvider#load} needs into {@code dir}.
   *
   * @param dir the directory, created if missing
   * @throws IOException if it cannot be written
   */
  void save(Path dir) throws IOException;

  /**
   * The check every {@link #encode} starts with.
   *
   * @param image the image to check
   * @param size the expected side in pixels
   * @throws IllegalArgumentException if the image is not {@code size} x {@code size}
   */
  static void checkImage(BufferedImage image, int size) {
    if (image == null) {
      throw new IllegalArgumentException("Expected a " + size + "x" + size + " image, got null");
    }
    if (image.getWidth() != size || image.getHeight() != size) {
      throw new IllegalArgumentException(
          "Expected a "
              + size
              + "x"
              + size
              + " image, got "
              + image.getWidth()
              + "x"
              + image.getHeight()
              + "; resize it first");
    }
  }

  /**
   * The check every {@link #decode} starts with.
   *
   * @param codes the codes to check
   * @param length the expected number of codes
   * @param codebookSize codes must be in {@code [0, codebookSize)}
   * @throws IllegalArgumentException on a wrong length or the first out-of-range code
   */
  static void checkCodes(int[] codes, int length, int codebookSize) {
    if (codes == null || codes.length != length) {
      throw new IllegalArgumentException(
          "Expected "
              + length
              + " image tokens, got "
              + (codes == null ? "null" : String.valueOf(codes.length)));
    }
    for (int i = 0; i < codes.length; i++) {
      if (codes[i] < 0 || codes[i] >= codebookSize) {
        throw new IllegalArgumentException(
            "Image token "
                + codes[i]
                + " at position "
                + i
                + " is outside the codebook [0, "
                + codebookSize
                + ")");
      }
    }
  }
}
