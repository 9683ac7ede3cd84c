package org.aia4j.evaluation.fashion;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.zip.GZIPInputStream;

/**
 * Reads Fashion-MNIST from its IDX files (gzip-compressed, as Debian's {@code
 * dataset-fashion-mnist} installs them under {@link #DEBIAN_DIRECTORY}). Every header field is
 * checked (magic number, item count, 28x28 size, labels 0 to 9) and a short or damaged file is
 * refused naming the file, so a half-downloaded copy is never read as data.
 */
public final class FashionMnist {
  /** Where {@code apt-get install dataset-fashion-mnist} puts the four files. */
  public static final Path DEBIAN_DIRECTORY = Path.of("/usr/share/datasets/fashion-mnist");

  /** Environment variable naming another directory holding the four files. */
  public static final String DIRECTORY_VARIABLE = "AIA4J_FASHION_MNIST";

  /** Side of an item, in pixels. */
  public static final int SIDE = 28;

  private static final int IMAGES_MAGIC = 0x0803; // unsigned byte, 3 dimensions
  private static final int LABELS_MAGIC = 0x0801; // unsigned byte, 1 dimension

  /** The dataset's two splits and their file name prefixes and sizes. */
  public enum Split {
    /** The 60,000 items training scenes are drawn from. */
    TRAIN("train", 60_000),
    /** The 10,000 items benchmark suites are drawn from. */
    TEST("t10k", 10_000);

    private final String prefix;
    private final int size;

    Split(String prefix, int size) {
      this.prefix = prefix;
      this.size = size;
    }

    /** @return the number of items the official split holds */
    public int size() {
      return size;
    }

    /** @return the images file's name, e.g. {@code train-images-idx3-ubyte.gz} */
    public String imagesFile() {
      return prefix + "-images-idx3-ubyte.gz";
    }

    /** @return the labels file's name, e.g. {@code train-labels-idx1-ubyte.gz} */
    public String labelsFile() {
      return prefix + "-labels-idx1-ubyte.gz";
    }
  }

  private FashionMnist() {}

  /**
   * The directory to read from: {@value #DIRECTORY_VARIABLE} if set, else {@link
   * #DEBIAN_DIRECTORY}.
   */
  public static Path defaultDirectory() {
    String configured = System.getenv(DIRECTORY_VARIABLE);
    return configured == null || configured.isBlank() ? DEBIAN_DIRECTORY : Path.of(configured);
  }

  /**
   * Reads one split.
   *
   * @param directory the directory holding the split's two files
   * @param split which split
   * @return its items, in file order
   * @throws NoSuchFileException naming the missing file and how to install it
   * @throws IOException if a file is damaged, short, or disagrees with the other
   */
  public static FashionItems read(Path directory, Split split) throws IOException {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(split, "split");
    Path imagesFile = existing(directory.resolve(split.imagesFile()));
    Path labelsFile = existing(directory.resolve(split.labelsFile()));
    byte[] labels = readLabels(labelsFile);
    byte[] pixels = readImages(imagesFile, labels.length);
    return new FashionItems(split, pixels, labels);
  }

  private static Path existing(Path file) throws NoSuchFileException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "Fashion-MNIST file missing; install it with "
          + "'apt-get install dataset-fashion-mnist' or set " + DIRECTORY_VARIABLE
          + " to a directory holding the four *-idx*-ubyte.gz files");
    }
    return file;
  }

  private static byte[] readLabels(Path file) throws IOException {
    try (DataInputStream in = open(file)) {
      int count = header(in, file, LABELS_MAGIC);
      byte[] labels = body(in, file, count, "labels");
      for (int i = 0; i < count; i++) {
        if (labels[i] < 0 || labels[i] > 9) {
          throw new IOException(file + ": label " + labels[i] + " of item " + i + " is not in 0..9");
        }
      }
      trailing(in, file);
      return labels;
    }
  }

  private static byte[] readImages(Path file, int expected) throws IOException {
    try (DataInputStream in = open(file)) {
      int count = header(in, file, IMAGES_MAGIC);
      if (count != expected) {
        throw new IOException(file + " holds " + count + " images but its labels file holds " + expected
            + " labels; the two files are from different copies");
      }
      int rows = in.readInt();
      int columns = in.readInt();
      if (rows != SIDE || columns != SIDE) {
        throw new IOException(file + ": images are " + rows + "x" + columns + ", Fashion-MNIST's are "
            + SIDE + "x" + SIDE);
      }
      byte[] pixels = body(in, file, count * SIDE * SIDE, "pixels");
      trailing(in, file);
      return pixels;
    }
  }

  private static DataInputStream open(Path file) throws IOException {
    InputStream raw = Files.newInputStream(file);
    try {
      return new DataInputStream(new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16));
    } catch (IOException e) {
      raw.close();
      throw new IOException(file + " is not a gzip file: " + e.getMessage(), e);
    }
  }

  /** Checks the magic number and returns the item count. */
  private static int header(DataInputStream in, Path file, int magic) throws IOException {
    try {
      int found = in.readInt();
      if (found != magic) {
        throw new IOException(String.format("%s: IDX magic number 0x%08x, expected 0x%08x (%s)", file, found,
            magic, magic == IMAGES_MAGIC ? "an images file" : "a labels file"));
      }
      int count = in.readInt();
      if (count < 0 || count > 1_000_000) {
        throw new IOException(file + ": item count " + count + " is not plausible");
      }
      return count;
    } catch (EOFException e) {
      throw new IOException(file + ": shorter than an IDX header", e);
    }
  }

  private static byte[] body(DataInputStream in, Path file, int length, String what) throws IOException {
    byte[] data = new byte[length];
    try {
      in.readFully(data);
    } catch (EOFException e) {
      throw new IOException(file + ": ends before its " + length + " " + what + "; the file is truncated", e);
    }
    return data;
  }

  private static void trailing(DataInputStream in, Path file) throws IOException {
    if (in.read() != -1) {
      throw new IOException(file + ": data after the last item; the file is not one IDX array");
    }
  }
}
