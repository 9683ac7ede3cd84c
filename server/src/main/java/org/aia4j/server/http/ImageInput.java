package org.aia4j.server.http;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Reads the image of a chat message: a {@code data:image/png;base64,...} or {@code
 * data:image/jpeg;base64,...} URL, checked before it is decoded (real PNG or JPEG bytes, at most
 * {@value #MAX_SIDE} pixels a side and within a pixel budget tied to the model's image size, read
 * from the image header, so a small file cannot unpack into a huge bitmap), then drawn at the
 * model's square size. Every refusal is a 400 naming the field. Decoding is blocking work:
 * call it off the event loop.
 */
final class ImageInput {
  /** Largest width or height accepted. */
  static final int MAX_SIDE = 4096;

  private ImageInput() {}

  /**
   * @param url the {@code image_url.url} value
   * @param param the field's name, for errors
   * @param size the model's image side, or 0 to keep the image's own size
   */
  static BufferedImage read(String url, String param, int size) {
    byte[] bytes = bytes(url, param);
    BufferedImage image = decode(bytes, param, maxPixels(size), size);
    return size > 0 ? square(image, size) : image;
  }

  /**
   * The pixel budget of an image for a model that reads {@code size} x {@code size}: (32 size)^2,
   * at least 1024x1024 and at most {@value #MAX_SIDE}x{@value #MAX_SIDE}. Decoding costs CPU and
   * memory in proportion to the pixels (a 4096x4096 16-bit PNG of 130 KB takes about a second
   * and 128 MB), while the model sees only {@code size} x {@code size} of them.
   *
   * @param size the model's image side, or 0 when unknown
   */
  static long maxPixels(int size) {
    long max = (long) MAX_SIDE * MAX_SIDE;
    if (size <= 0) {
      return max;
    }
    long side = 32L * size;
    return Math.max(1024L * 1024, Math.min(max, side * side));
  }

  static byte[] bytes(String url, String param) {
    String trimmed = url.strip();
    if (trimmed.regionMatches(true, 0, "http://", 0, 7) || trimmed.regionMatches(true, 0, "https://", 0, 8)) {
      throw ApiException.invalid(param, "unsupported_image_url", "Image URLs are not fetched: send the image inline as "
          + "data:image/png;base64,... or data:image/jpeg;base64,...");
    }
    if (!trimmed.regionMatches(true, 0, "data:", 0, 5)) {
      throw ApiException.invalid(param, "invalid_image_url", "'" + param + "' must be a data URL "
          + "(data:image/png;base64,... or data:image/jpeg;base64,...)");
    }
    int comma = trimmed.indexOf(',');
    if (comma < 0) {
      throw ApiException.invalid(param, "invalid_image_url", "'" + param + "' is a data URL without a ',' before its data");
    }
    String header = trimmed.substring(5, comma).toLowerCase(Locale.ROOT);
    String[] parts = header.split(";");
    String mime = parts[0].strip();
    boolean base64 = false;
    for (int i = 1; i < parts.length; i++) {
      base64 |= parts[i].strip().equals("base64");
    }
    if (!mime.equals("image/png") && !mime.equals("image/jpeg") && !mime.equals("image/jpg")) {
      throw ApiException.invalid(param, "unsupported_image_format", "Unsupported image type '" + mime
          + "': send image/png or image/jpeg");
    }
    if (!base64) {
      throw ApiException.invalid(param, "invalid_image_url", "'" + param + "' must be base64-encoded (data:" + mime
          + ";base64,...)");
    }
    String data = trimmed.substring(comma + 1).replaceAll("\\s+", "");
    if (data.isEmpty()) {
      throw ApiException.invalid(param, "invalid_base64", "'" + param + "' holds no image data");
    }
    try {
      return Base64.getDecoder().decode(data);
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(param, "invalid_base64", "'" + param + "' is not valid base64: " + e.getMessage());
    }
  }

  static BufferedImage decode(byte[] bytes, String param) {
    return decode(bytes, param, (long) MAX_SIDE * MAX_SIDE, 0);
  }

  /**
   * Decodes PNG or JPEG bytes, its size checked from the image header before any pixel is
   * decoded; a large image is decoded subsampled so that no more than about twice the model's
   * side is kept of each axis.
   *
   * @param maxPixels most pixels (width x height) accepted
   * @param size the model's side, or 0 to decode every pixel
   */
  static BufferedImage decode(byte[] bytes, String param, long maxPixels, int size) {
    String format = sniff(bytes);
    if (!format.equals("png") && !format.equals("jpeg")) {
      throw ApiException.invalid(param, "unsupported_image_format", "The image data is "
          + (format.isEmpty() ? "not a PNG or JPEG image" : "a " + format.toUpperCase(Locale.ROOT)
              + " image; only PNG and JPEG are supported"));
    }
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
      if (!readers.hasNext()) {
        throw ApiException.invalid(param, "invalid_image", "The " + format + " image could not be read");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        if (width < 1 || height < 1) {
          throw ApiException.invalid(param, "invalid_image", "The image has no pixels (" + width + "x" + height + ")");
        }
        if (width > MAX_SIDE || height > MAX_SIDE) {
          throw ApiException.invalid(param, "image_too_large", "The image is " + width + "x" + height
              + " pixels; at most " + MAX_SIDE + "x" + MAX_SIDE + " is accepted");
        }
        if ((long) width * height > maxPixels) {
          throw ApiException.invalid(param, "image_too_large", "The image is " + width + "x" + height + " = "
              + (long) width * height + " pixels; this model reads " + size + "x" + size + " images and accepts at most "
              + maxPixels + " pixels: send a smaller image");
        }
        ImageReadParam read = reader.getDefaultReadParam();
        int step = size > 0 ? Math.min(width, height) / (2 * size) : 1;
        if (step >= 2) {
          read.setSourceSubsampling(step, step, 0, 0); // only the pixels the model's size can use
        }
        BufferedImage image = reader.read(0, read);
        if (image == null) {
          throw ApiException.invalid(param, "invalid_image", "The " + format + " image could not be decoded");
        }
        return image;
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof ApiException api) {
        throw api;
      }
      // ImageIO throws IIOException and assorted runtime exceptions on corrupt data.
      throw ApiException.invalid(param, "invalid_image", "The " + format.toUpperCase(Locale.ROOT)
          + " image is corrupt and could not be decoded");
    }
  }

  /** @return the format the bytes start like: png, jpeg, gif, webp, bmp, or empty */
  static String sniff(byte[] b) {
    if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
      return "png";
    }
    if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) {
      return "jpeg";
    }
    if (b.length >= 4 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8') {
      return "gif";
    }
    if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W' && b[9] == 'E') {
      return "webp";
    }
    if (b.length >= 2 && b[0] == 'B' && b[1] == 'M') {
      return "bmp";
    }
    return "";
  }

  /** The image stretched to {@code size} x {@code size} RGB, transparency flattened on white. */
  static BufferedImage square(BufferedImage image, int size) {
    if (image.getWidth() == size && image.getHeight() == size && image.getType() == BufferedImage.TYPE_INT_RGB) {
      return image;
    }
    BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, size, size);
      boolean same = image.getWidth() == size && image.getHeight() == size;
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, same ? RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR
          : RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(image, 0, 0, size, size, null);
    } finally {
      g.dispose();
    }
    return out;
  }

  /** The image enlarged to {@code size} x {@code size} by repeating pixels, so flat shapes stay sharp. */
  static BufferedImage upscale(BufferedImage image, int size) {
    if (image.getWidth() == size && image.getHeight() == size) {
      return image;
    }
    BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
      g.drawImage(image, 0, 0, size, size, null);
    } finally {
      g.dispose();
    }
    return out;
  }
}
