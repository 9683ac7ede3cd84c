package org.aia4j.evaluation.io;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import org.aia4j.api.io.AtomicFiles;
import javax.imageio.ImageIO;

/** PNG and base64 image I/O with errors that name the file or field at fault. */
public final class Images {
  private Images() {}

  /** Encodes {@code image} as PNG bytes. */
  public static byte[] toPng(BufferedImage image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, "png", out)) {
        throw new IllegalStateException("No PNG writer available in this JVM");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not encode PNG", e);
    }
    return out.toByteArray();
  }

  /** Encodes {@code image} as base64 PNG, the MMBench TSV image cell format. */
  public static String toBase64Png(BufferedImage image) {
    return Base64.getEncoder().encodeToString(toPng(image));
  }

  /**
   * Decodes PNG/JPEG bytes.
   *
   * @param source what the bytes are, for the error message (a path, a TSV row ...)
   * @throws IOException if the bytes are not a readable image
   */
  public static BufferedImage fromBytes(byte[] bytes, String source) throws IOException {
    BufferedImage image;
    try {
      image = ImageIO.read(new ByteArrayInputStream(bytes));
    } catch (IOException | RuntimeException e) {
      throw new IOException("Could not decode the image in " + source + ": " + e.getMessage(), e);
    }
    if (image == null) {
      throw new IOException("Not a PNG or JPEG image: " + source);
    }
    return image;
  }

  /** Decodes a base64-encoded PNG/JPEG (whitespace and a {@code data:...;base64,} prefix allowed). */
  public static BufferedImage fromBase64(String base64, String source) throws IOException {
    String payload = base64.strip();
    int comma = payload.indexOf(',');
    if (payload.startsWith("data:") && comma > 0) {
      payload = payload.substring(comma + 1);
    }
    byte[] bytes;
    try {
      bytes = Base64.getMimeDecoder().decode(payload);
    } catch (IllegalArgumentException e) {
      throw new IOException("Invalid base64 image in " + source + ": " + e.getMessage(), e);
    }
    return fromBytes(bytes, source);
  }

  /** Reads a PNG/JPEG file. */
  public static BufferedImage read(Path path) throws IOException {
    if (!Files.isRegularFile(path)) {
      throw new NoSuchFileException(path.toString(), null, "image file is missing");
    }
    return fromBytes(Files.readAllBytes(path), path.toString());
  }

  /** Writes {@code image} as a PNG file atomically. */
  public static void writePng(BufferedImage image, Path path) throws IOException {
    AtomicFiles.write(path, toPng(image));
  }
}
