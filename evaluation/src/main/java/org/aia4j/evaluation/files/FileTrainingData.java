package org.aia4j.evaluation.files;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import org.aia4j.api.checkpoint.Manifest;
import org.aia4j.api.data.GenerationSample;
import org.aia4j.api.data.TrainingData;
import org.aia4j.api.data.UnderstandingSample;
import org.aia4j.api.tokenizer.ImageTokenizer;

/**
 * Training data read from files: LLaVA conversation JSON ({@code .json}, understanding), JSON
 * Lines ({@code .jsonl}) of generation rows with image files or of pre-tokenized rows with image
 * codes. Any number of files of either kind make one data set; each task's samples are the
 * samples of that task in all files, in file order.
 *
 * <p>Sample {@code i} of a task is sample {@code order[i mod n]} of its {@code n}: {@code order}
 * is one permutation drawn from the seed, so a resumed run sees the same samples, an epoch visits
 * every sample once, and files sorted by class are still mixed within a batch. How many samples of
 * each task a step takes is the run's business (the training config's understanding share), not
 * the files' sizes: a small task's samples are repeated more often.
 *
 * <p>Everything is read and checked when the data is made, so a bad row fails before training
 * starts, not hours into it: every image is decoded once, fitted ({@link ImageFiles}) and cached
 * (a 32x32 image takes 4 KB, so tens of thousands fit in memory); a sample hands out a copy of it.
 * An image named by several rows (a multi-turn conversation) is decoded once.
 *
 * <p>{@link #describe()} names every file with its SHA-256, and the digest of the image files'
 * contents, so a checkpoint is reused or resumed only on the very same data.
 */
public final class FileTrainingData implements TrainingData {
  /** The file name endings read, with what they hold, for messages. */
  public static final String KNOWN_FORMATS = ".json (LLaVA conversations with image files), "
      + ".jsonl (generation rows {\"prompt\", \"image\"}, or pre-tokenized rows with \"codes\")";

  private final List<Path> files;
  private final String description;
  private final int imageSize;
  private final List<UnderstandingSample> understanding;
  private final List<String> understandingOrigins;
  private final List<GenerationSample> generation;
  private final List<String> generationOrigins;
  private final List<BufferedImage> images;
  private final int[] understandingOrder;
  private final int[] generationOrder;

  private FileTrainingData(List<Path> files, String description, int imageSize, Loaded loaded, long seed) {
    this.files = List.copyOf(files);
    this.description = description;
    this.imageSize = imageSize;
    this.understanding = List.copyOf(loaded.understanding);
    this.understandingOrigins = List.copyOf(loaded.understandingOrigins);
    this.generation = List.copyOf(loaded.generation);
    this.generationOrigins = List.copyOf(loaded.generationOrigins);
    this.images = List.copyOf(loaded.images.values());
    this.understandingOrder = permutation(understanding.size(), new SplittableRandom(seed));
    this.generationOrder = permutation(generation.size(), new SplittableRandom(seed).split());
  }

  /**
   * Reads and checks every file and every image they name.
   *
   * @param files data files, each {@code .json} or {@code .jsonl} (see {@link #KNOWN_FORMATS})
   * @param imageSize the side images are fitted to (the image tokenizer's)
   * @param seed the seed of the sample order
   * @throws NoSuchFileException for a missing data file, or a missing image (naming the row)
   * @throws IOException for a malformed row (naming file and line or array index), an unreadable
   *     image, an unknown format or a file without samples
   */
  public static FileTrainingData read(List<Path> files, int imageSize, long seed) throws IOException {
    if (files.isEmpty()) {
      throw new IllegalArgumentException("No data files given");
    }
    if (imageSize <= 0) {
      throw new IllegalArgumentException("imageSize must be > 0, got " + imageSize);
    }
    Loaded loaded = new Loaded(imageSize);
    StringBuilder description = new StringBuilder("files(seed=").append(seed);
    for (Path file : files) {
      if (!Files.isRegularFile(file)) {
        throw new NoSuchFileException(file.toString(), null, "data file is missing");
      }
      int before = loaded.understanding.size() + loaded.generation.size();
      String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
      if (name.endsWith(".jsonl")) {
        SampleLines.Rows rows = SampleLines.read(file);
        loaded.addUnderstanding(rows.understanding());
        loaded.addGeneration(rows.generation());
      } else if (name.endsWith(".json")) {
        loaded.addUnderstanding(LlavaConversations.read(file));
      } else {
        throw new IOException(file + ": unknown data format; known: " + KNOWN_FORMATS);
      }
      if (loaded.understanding.size() + loaded.generation.size() == before) {
        throw new IOException(file + ": holds no samples");
      }
      description.append(", ").append(file.getFileName()).append(" sha256=").append(Manifest.sha256(file));
    }
    if (!loaded.images.isEmpty()) {
      description.append(", images sha256=").append(HexFormat.of().formatHex(loaded.imageDigest.digest()));
    }
    return new FileTrainingData(files, description.append(')').toString(), imageSize, loaded, seed);
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public int imageSize() {
    return imageSize;
  }

  /** @return the data files, as given */
  public List<Path> files() {
    return files;
  }

  /** @return the number of distinct understanding samples */
  public int understandingCount() {
    return understanding.size();
  }

  /** @return the number of distinct generation samples */
  public int generationCount() {
    return generation.size();
  }

  /** @return where the first pre-tokenized row is (file and line), if any row carries codes */
  public Optional<String> firstTokenizedRow() {
    for (int i = 0; i < understanding.size(); i++) {
      if (understanding.get(i).isTokenized()) {
        return Optional.of(understandingOrigins.get(i));
      }
    }
    for (int i = 0; i < generation.size(); i++) {
      if (generation.get(i).isTokenized()) {
        return Optional.of(generationOrigins.get(i));
      }
    }
    return Optional.empty();
  }

  /**
   * @throws IllegalStateException if the files hold no understanding sample
   */
  @Override
  public UnderstandingSample understanding(long index) {
    if (understanding.isEmpty()) {
      throw new IllegalStateException("The data files " + files + " hold no understanding samples");
    }
    UnderstandingSample sample = understanding.get(understandingOrder[slot(index, understanding.size())]);
    return sample.isTokenized() ? sample
        : new UnderstandingSample(ImageFiles.copy(sample.image()), sample.prompt(), sample.answer());
  }

  /**
   * @throws IllegalStateException if the files hold no generation sample
   */
  @Override
  public GenerationSample generation(long index) {
    if (generation.isEmpty()) {
      throw new IllegalStateException("The data files " + files + " hold no generation samples");
    }
    GenerationSample sample = generation.get(generationOrder[slot(index, generation.size())]);
    return sample.isTokenized() ? sample : new GenerationSample(sample.prompt(), ImageFiles.copy(sample.image()));
  }

  /**
   * @param row an index in {@code [0, understandingCount())}
   * @return the files' {@code row}-th understanding sample in file order (training draws them shuffled)
   */
  public UnderstandingSample understandingRow(int row) {
    Objects.checkIndex(row, understanding.size());
    return understanding.get(row);
  }

  /**
   * @param row an index in {@code [0, generationCount())}
   * @return the files' {@code row}-th generation sample in file order (training draws them shuffled)
   */
  public GenerationSample generationRow(int row) {
    Objects.checkIndex(row, generation.size());
    return generation.get(row);
  }

  /** Every prompt and answer of the files, in file order. */
  @Override
  public List<String> vocabularyCorpus() {
    List<String> texts = new ArrayList<>();
    for (UnderstandingSample sample : understanding) {
      texts.add(sample.prompt());
      texts.add(sample.answer());
    }
    for (GenerationSample sample : generation) {
      texts.add(sample.prompt());
    }
    return texts;
  }

  /**
   * {@code count} of the files' distinct images in an order drawn from {@code seed}; a data set of
   * fewer images gives each about equally often.
   *
   * @throws IllegalStateException if every row is pre-tokenized, so there is no image
   */
  @Override
  public List<BufferedImage> tokenizerImages(int count, long seed) {
    if (images.isEmpty()) {
      throw new IllegalStateException("The data files " + files + " hold no images (every row is pre-tokenized) "
          + "to fit an image tokenizer on");
    }
    int[] order = permutation(images.size(), new SplittableRandom(seed));
    List<BufferedImage> drawn = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      drawn.add(ImageFiles.copy(images.get(order[i % order.length])));
    }
    return drawn;
  }

  /** Checks every pre-tokenized row against the tokenizer, naming the first that does not fit. */
  @Override
  public void checkImageCodes(ImageTokenizer tokenizer) {
    for (int i = 0; i < understanding.size(); i++) {
      check(understanding.get(i).imageCodes(), understandingOrigins.get(i), tokenizer);
    }
    for (int i = 0; i < generation.size(); i++) {
      check(generation.get(i).imageCodes(), generationOrigins.get(i), tokenizer);
    }
  }

  /** Checks every pre-tokenized row with {@code check}, naming the first that does not fit. */
  @Override
  public void checkImageCodes(java.util.function.Consumer<int[]> check) {
    for (int i = 0; i < understanding.size(); i++) {
      check(understanding.get(i).imageCodes(), understandingOrigins.get(i), check);
    }
    for (int i = 0; i < generation.size(); i++) {
      check(generation.get(i).imageCodes(), generationOrigins.get(i), check);
    }
  }

  private static void check(int[] codes, String origin, java.util.function.Consumer<int[]> check) {
    if (codes == null) {
      return;
    }
    try {
      check.accept(codes);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(origin + ": " + e.getMessage(), e);
    }
  }

  private static void check(int[] codes, String origin, ImageTokenizer tokenizer) {
    if (codes == null) {
      return;
    }
    if (codes.length != tokenizer.tokensPerImage()) {
      throw new IllegalArgumentException(origin + ": " + codes.length + " image codes, but the image tokenizer ("
          + tokenizer.kind() + ", " + tokenizer.imageSize() + "x" + tokenizer.imageSize() + ") makes "
          + tokenizer.tokensPerImage() + " per image");
    }
    for (int p = 0; p < codes.length; p++) {
      if (codes[p] < 0 || codes[p] >= tokenizer.codebookSize()) {
        throw new IllegalArgumentException(origin + ": image code " + codes[p] + " at position " + p
            + " is outside the image tokenizer's codebook [0, " + tokenizer.codebookSize() + ")");
      }
    }
  }

  private static int slot(long index, int size) {
    if (index < 0) {
      throw new IllegalArgumentException("index must be >= 0, got " + index);
    }
    return (int) (index % size);
  }

  /** A Fisher-Yates permutation of {@code [0, n)}. */
  private static int[] permutation(int n, SplittableRandom random) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** The samples read so far, with the image cache they share. */
  private static final class Loaded {
    final int imageSize;
    final List<UnderstandingSample> understanding = new ArrayList<>();
    final List<String> understandingOrigins = new ArrayList<>();
    final List<GenerationSample> generation = new ArrayList<>();
    final List<String> generationOrigins = new ArrayList<>();
    final Map<Path, BufferedImage> images = new LinkedHashMap<>();
    final MessageDigest imageDigest;

    Loaded(int imageSize) {
      this.imageSize = imageSize;
      this.imageDigest = sha256();
    }

    private static MessageDigest sha256() {
      try {
        return MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is required of every JVM", e);
      }
    }

    void addUnderstanding(List<FileRows.Understanding> rows) throws IOException {
      for (FileRows.Understanding row : rows) {
        understanding.add(row.codes() != null
            ? UnderstandingSample.tokenized(row.codes(), row.prompt(), row.answer())
            : new UnderstandingSample(image(row.image(), row.origin()), row.prompt(), row.answer()));
        understandingOrigins.add(row.origin());
      }
    }

    void addGeneration(List<FileRows.Generation> rows) throws IOException {
      for (FileRows.Generation row : rows) {
        generation.add(row.codes() != null
            ? GenerationSample.tokenized(row.prompt(), row.codes())
            : new GenerationSample(row.prompt(), image(row.image(), row.origin())));
        generationOrigins.add(row.origin());
      }
    }

    private BufferedImage image(Path file, String origin) throws IOException {
      Path key = file.toAbsolutePath().normalize();
      BufferedImage cached = images.get(key);
      if (cached == null) {
        ImageFiles.Read read = ImageFiles.read(key, imageSize, origin);
        // The content's hash, not the path: moving the data set keeps its identity.
        imageDigest.update(sha256().digest(read.bytes()));
        cached = read.image();
        images.put(key, cached);
      }
      return cached;
    }
  }
}
