package org.aia4j.evaluation.files;

import java.awt.Graphics2D;
import java.awt.Image;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Reads the image files of a data set as the image tokenizer wants them: square, {@code size} x
 * {@code size}, {@link BufferedImage#TYPE_INT_RGB}.
 *
 * <p>A non-square image is first padded to a square with black, centred, as LLaVA-1.5 pads
 * ("pad" aspect ratio) instead of cropping: a caption may speak of what is at an edge. The square
 * is then resized by area averaging ({@link Image#SCALE_AREA_AVERAGING}), not bilinear
 * interpolation: shrinking a photo of hundreds of pixels to 32 keeps the mean colour of each
 * output pixel's area, where bilinear reads four source pixels per output pixel and aliases thin
 * lines and textures. An image already at the size is only converted, so its pixels are kept
 * exactly (a round trip through PNG is lossless). Transparent pixels become black.
 */
final class ImageFiles {
  private ImageFiles() {}

  /**
   * An image file read and fitted.
   *
   * @param bytes the file's content, for the data set's digest
   */
  record Read(BufferedImage image, byte[] bytes) {}

  /**
   * @param file the image file
   * @param size the side of the result
   * @param namedBy the row naming the file, for the message when it is missing
   * @throws NoSuchFileException naming the file and the row when the file is missing
   * @throws IOException naming the file when it is not an image ImageIO reads
   */
  static Read read(Path file, int size, String namedBy) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "image file is missing (named by " + namedBy + ")");
    }
    byte[] bytes = Files.readAllBytes(file);
    BufferedImage decoded;
    try {
      decoded = ImageIO.read(new ByteArrayInputStream(bytes));
    } catch (IOException | RuntimeException e) {
      throw new IOException(file + ": unreadable image file: " + e.getMessage(), e);
    }
    if (decoded == null) {
      throw new IOException(file + ": unreadable image file (not a PNG, JPEG, BMP or GIF ImageIO can decode)");
    }
    return new Read(fit(decoded, size), bytes);
  }

  /** {@code image} padded to a square, resized to {@code size} and converted to {@code TYPE_INT_RGB}. */
  static BufferedImage fit(BufferedImage image, int size) {
    int side = Math.max(image.getWidth(), image.getHeight());
    BufferedImage square = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = square.createGraphics();
    try {
      g.drawImage(image, (side - image.getWidth()) / 2, (side - image.getHeight()) / 2, null);
    } finally {
      g.dispose();
    }
    if (side == size) {
      return square;
    }
    Image scaled = square.getScaledInstance(size, size, Image.SCALE_AREA_AVERAGING);
    BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D h = out.createGraphics();
    try {
      h.drawImage(scaled, 0, 0, null);
    } finally {
      h.dispose();
    }
    return out;
  }

  /** A copy, so a caller that draws on a sample's image cannot change the cached one. */
  static BufferedImage copy(BufferedImage image) {
    BufferedImage copy = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
    copy.setData(image.getRaster());
    return copy;
  }
}
