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
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

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
   * Most pixels an image read here may have: 4096 x 4096. A small file can claim a huge size (a
   * 30000x30000 JPEG header is a few hundred bytes) and decoding it costs seconds of CPU and
   * gigabytes of memory, so the size is read from the header and checked before decoding.
   */
  public static final long MAX_PIXELS = 4096L * 4096L;

  /**
   * Decodes PNG/JPEG bytes, after checking the size their header claims against {@link #MAX_PIXELS}.
   *
   * @param source what the bytes are, for the error message (a path, a TSV row ...)
   * @throws IOException if the bytes are not a readable image or claim too many pixels
   */
  public static BufferedImage fromBytes(byte[] bytes, String source) throws IOException {
    return decode(bytes, source, true);
  }

  /**
   * Checks that bytes are a PNG/JPEG (or another format ImageIO reads) whose header claims at most
   * {@link #MAX_PIXELS}, without decoding the pixels: a cheap check of many images before a long run.
   *
   * @throws IOException as {@link #fromBytes}
   */
  public static void checkHeader(byte[] bytes, String source) throws IOException {
    decode(bytes, source, false);
  }

  /** Decodes the bytes (null without {@code pixels}), refusing a huge header first. */
  private static BufferedImage decode(byte[] bytes, String source, boolean pixels) throws IOException {
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
      if (readers == null || !readers.hasNext()) {
        throw new IOException("Not a PNG or JPEG image: " + source);
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        long width;
        long height;
        try {
          width = reader.getWidth(0);
          height = reader.getHeight(0);
        } catch (IOException | RuntimeException e) {
          throw new IOException("Could not decode the image in " + source + ": " + e.getMessage(), e);
        }
        if (width * height > MAX_PIXELS) {
          throw new IOException(source + ": the image's header says " + width + "x" + height + " pixels, more than the "
              + MAX_PIXELS + " (4096x4096) an image may have; it is refused before decoding");
        }
        if (!pixels) {
          return null;
        }
        try {
          return reader.read(0);
        } catch (IOException | RuntimeException e) {
          throw new IOException("Could not decode the image in " + source + ": " + e.getMessage(), e);
        }
      } finally {
        reader.dispose();
      }
    }
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

  /** As {@link #checkHeader(byte[], String)} for a base64-encoded image, as {@link #fromBase64} reads it. */
  public static void checkBase64Header(String base64, String source) throws IOException {
    String payload = base64.strip();
    int comma = payload.indexOf(',');
    if (payload.startsWith("data:") && comma > 0) {
      payload = payload.substring(comma + 1);
    }
    try {
      checkHeader(Base64.getMimeDecoder().decode(payload), source);
    } catch (IllegalArgumentException e) {
      throw new IOException("Invalid base64 image in " + source + ": " + e.getMessage(), e);
    }
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
