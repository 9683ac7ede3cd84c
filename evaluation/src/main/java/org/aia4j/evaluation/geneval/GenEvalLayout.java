package org.aia4j.evaluation.geneval;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.aia4j.api.io.AtomicDirectory;
import org.aia4j.api.io.AtomicFiles;
import org.aia4j.evaluation.io.Images;
import org.aia4j.evaluation.io.TextFiles;

/**
 * GenEval's image folder layout, as its generation script writes it and its scorer reads it:
 *
 * <pre>
 * &lt;dir&gt;/
 *     00000/
 *         metadata.jsonl      (the prompt's metadata line)
 *         samples/
 *             0000.png
 *             0001.png ...
 *     00001/ ...
 * </pre>
 *
 * Like GenEval's scorer, the reader takes every all-digit folder and every {@code <digits>.png}
 * sample and ignores anything else (so a top-level results file or {@code grid.png} is fine).
 * Unlike it, the reader fails on a prompt folder without samples or with a gap in the numbering,
 * instead of silently scoring fewer images.
 */
public final class GenEvalLayout {
  /** Per-prompt metadata file name. */
  public static final String METADATA = "metadata.jsonl";

  /** Sample folder name. */
  public static final String SAMPLES = "samples";

  private static final Pattern DIGITS = Pattern.compile("\\d+");
  private static final Pattern SAMPLE = Pattern.compile("(\\d+)\\.png");

  private GenEvalLayout() {}

  /** The folder of prompt {@code index}: {@code <dir>/00012}. */
  public static Path promptFolder(Path dir, int index) {
    return dir.resolve(String.format("%05d", index));
  }

  /** The path of sample {@code sample} of prompt {@code index}: {@code <dir>/00012/samples/0003.png}. */
  public static Path samplePath(Path dir, int index, int sample) {
    return promptFolder(dir, index).resolve(SAMPLES).resolve(String.format("%04d.png", sample));
  }

  /**
   * Lists the prompts of a GenEval image folder in folder-name order.
   *
   * @throws IOException naming the path of a missing or malformed {@code metadata.jsonl}, a
   *     missing {@code samples} folder or sample image
   */
  public static List<GenEvalEntry> read(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "GenEval image folder is missing");
    }
    List<Path> folders;
    try (Stream<Path> children = Files.list(dir)) {
      folders = children
          .filter(p -> Files.isDirectory(p) && DIGITS.matcher(p.getFileName().toString()).matches())
          // By value, however many digits (GenEval's scorer sorts folder names as numbers too).
          .sorted(Comparator.comparing((Path p) -> new BigInteger(p.getFileName().toString()))
              .thenComparing(p -> p.getFileName().toString()))
          .toList();
    }
    List<GenEvalEntry> entries = new ArrayList<>();
    for (Path folder : folders) {
      entries.add(readEntry(folder));
    }
    return entries;
  }

  private static GenEvalEntry readEntry(Path folder) throws IOException {
    Path metadataFile = folder.resolve(METADATA);
    if (!Files.isRegularFile(metadataFile)) {
      throw new NoSuchFileException(metadataFile.toString(), null, "prompt metadata is missing");
    }
    // GenEval reads this file with json.load: one JSON object, a trailing newline allowed.
    String text = TextFiles.readUtf8(metadataFile).strip();
    GenEvalPrompt prompt = GenEvalMetadata.parse(text, metadataFile.toString());
    Path samples = folder.resolve(SAMPLES);
    if (!Files.isDirectory(samples)) {
      throw new NoSuchFileException(samples.toString(), null, "samples folder is missing");
    }
    List<Path> images = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(samples)) {
      for (Path file : files) {
        if (Files.isRegularFile(file) && SAMPLE.matcher(file.getFileName().toString()).matches()) {
          images.add(file);
        }
      }
    }
    if (images.isEmpty()) {
      throw new NoSuchFileException(samples.resolve("0000.png").toString(), null, "no sample images");
    }
    images.sort(Comparator.comparing(GenEvalLayout::sampleNumber));
    int width = images.get(0).getFileName().toString().length() - ".png".length();
    for (int i = 0; i < images.size(); i++) {
      long number = sampleNumber(images.get(i));
      if (number > i) {
        throw new NoSuchFileException(samples.resolve(String.format("%0" + width + "d.png", i)).toString(), null,
            "sample image is missing (samples are numbered from 0 without gaps)");
      }
      if (number < i) {
        throw new IOException(samples + ": two files for sample " + number + ": " + images.get(i - 1).getFileName()
            + " and " + images.get(i).getFileName());
      }
    }
    return new GenEvalEntry(folder, prompt, prompt.toMetadataLine(), images);
  }

  /** The sample's number; one beyond a long (20 digits or more) is Long.MAX_VALUE, a gap. */
  private static long sampleNumber(Path image) {
    String name = image.getFileName().toString();
    BigInteger number = new BigInteger(name.substring(0, name.length() - ".png".length()));
    return number.bitLength() < 64 ? number.longValue() : Long.MAX_VALUE;
  }

  /**
   * Writes prompt folder {@code index}: its metadata line (as GenEval's {@code json.dump}, no
   * newline) and {@code samples/0000.png}...; each file atomically.
   */
  public static void writePrompt(Path dir, int index, GenEvalPrompt prompt, List<BufferedImage> samples)
      throws IOException {
    Path folder = promptFolder(dir, index);
    Files.createDirectories(folder.resolve(SAMPLES));
    AtomicFiles.writeString(folder.resolve(METADATA), prompt.toMetadataLine());
    for (int i = 0; i < samples.size(); i++) {
      Images.writePng(samples.get(i), samplePath(dir, index, i));
    }
  }

  /** Fills a directory. */
  @FunctionalInterface
  public interface DirectoryWriter {
    void write(Path dir) throws IOException;
  }

  /**
   * Creates {@code target} with all its content or not at all: {@code writer} fills a hidden
   * sibling staging folder, which is renamed to {@code target} only once it is complete; on any
   * error the staging folder is deleted.
   *
   * @throws FileAlreadyExistsException if {@code target} exists and is not an empty directory
   */
  public static void writeDirectory(Path target, DirectoryWriter writer) throws IOException {
    AtomicDirectory.write(target, false, writer::write);
  }

  /**
   * Copies a GenEval image folder with its images moved to other prompts by a seeded permutation
   * (each prompt keeps its metadata and takes another prompt's samples): the control every judge
   * must score low, since the images no longer match what is asked.
   *
   * @param images a folder in GenEval's layout
   * @param target the folder to write, new or empty (all or nothing, as {@link #writeDirectory})
   * @param seed the permutation's seed
   */
  public static void writeShuffled(Path images, Path target, long seed) throws IOException {
    List<GenEvalEntry> entries = read(images);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      order.add(i);
    }
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = order.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      order.set(j, order.set(i, order.get(j)));
    }
    writeDirectory(target, dir -> {
      for (int i = 0; i < entries.size(); i++) {
        writePrompt(dir, i, entries.get(i).prompt(), List.of());
        List<Path> samples = entries.get(order.get(i)).images();
        for (int k = 0; k < samples.size(); k++) {
          Files.copy(samples.get(k), samplePath(dir, i, k));
        }
      }
    });
  }
}
