package org.aia4j.testkit;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Image files that lie about themselves, for the readers' hostile-input tests. */
public final class HostileImages {

  private HostileImages() {}

  /**
   * A real 16x16 JPEG whose SOF0 header is patched to claim {@code side x side} pixels: a few
   * hundred bytes that would cost gigabytes if decoded.
   *
   * @param side the width and height the header claims, at most 65535
   */
  public static byte[] jpegClaiming(int side) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB), "jpg", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] bytes = out.toByteArray();
    for (int i = 2; i + 8 < bytes.length; i++) {
      if ((bytes[i] & 0xFF) == 0xFF && (bytes[i + 1] & 0xFF) == 0xC0) { // SOF0: length, precision, height, width
        bytes[i + 5] = (byte) (side >> 8);
        bytes[i + 6] = (byte) side;
        bytes[i + 7] = (byte) (side >> 8);
        bytes[i + 8] = (byte) side;
        return bytes;
      }
    }
    throw new IllegalStateException("no SOF0 marker");
  }
}
