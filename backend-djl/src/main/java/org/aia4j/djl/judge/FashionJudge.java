package org.aia4j.djl.judge;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.aia4j.api.benchmark.ProgressListener;
import org.aia4j.api.checkpoint.Manifest;
import org.aia4j.api.io.AtomicDirectory;
import org.aia4j.evaluation.fashion.CellJudge;
import org.aia4j.evaluation.fashion.FashionClass;
import org.aia4j.evaluation.fashion.FashionItems;
import org.aia4j.evaluation.fashion.FashionMnist;
import org.aia4j.evaluation.fashion.FashionMnist.Split;
import org.aia4j.evaluation.fashion.FashionSceneRenderer;
import org.aia4j.evaluation.fashion.FashionWorldSpec;
import org.aia4j.evaluation.world.WorldColor;

/**
 * The Fashion-MNIST world's learned judge: a {@link JudgeNetwork} trained with DJL on cells of
 * training-split items (every world class, a random tint and noise per cell, plus empty cells),
 * measured on cells of every test-split item of the world's classes, and cached: {@link
 * #trainOrLoad} trains once and later loads the weights whose {@code judge.json} records the same
 * recipe. Loss and constants are engine-owned arrays (never Java numbers in the graph), as the
 * trainer's are.
 */
public final class FashionJudge implements CellJudge {
  private static final String NAME = "fashion-judge";
  private static final String CARD = "judge.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Model model;
  private final FashionWorldSpec spec;
  private final JudgeCard card;

  private FashionJudge(Model model, FashionWorldSpec spec, JudgeCard card) {
    this.model = model;
    this.spec = spec;
    this.card = card;
  }

  /** @return how this judge was made and how well it reads the test split */
  public JudgeCard card() {
    return card;
  }

  @Override
  public String description() {
    return String.format(Locale.ROOT, "%s (CNN trained with DJL, seed %d, test accuracy %.4f on %d cells)", NAME,
        card.settings().seed(), card.testAccuracy(), total(card.confusion()));
  }

  /**
   * Loads the judge cached in {@code cache} if it was made with the same recipe, else trains one
   * and writes it there atomically (a crash leaves the old cache or none, never half of one).
   *
   * @param cache the judge's directory, e.g. {@code ~/.cache/aia4j/fashion-judge}
   * @param spec the world
   * @param dataset the Fashion-MNIST directory
   * @param settings how to train
   * @param progress told each epoch's progress
   * @return the judge; the caller closes it
   */
  public static FashionJudge trainOrLoad(Path cache, FashionWorldSpec spec, Path dataset, JudgeSettings settings,
      ProgressListener progress) throws IOException {
    Map<String, String> files = datasetHashes(dataset);
    JudgeCard wanted = new JudgeCard(JudgeCard.FORMAT, settings, spec.grid(), spec.cellSize(), labels(spec), files,
        0, 0, new int[0][0], 0);
    Optional<JudgeCard> cached = readCard(cache);
    if (cached.isPresent() && cached.get().sameRecipe(wanted)) {
      return load(cache, spec);
    }
    FashionItems train = FashionMnist.read(dataset, Split.TRAIN);
    FashionItems test = FashionMnist.read(dataset, Split.TEST);
    FashionJudge judge = train(spec, train, test, settings, files, progress);
    try {
      AtomicDirectory.write(cache, true, staging -> {
        judge.model.save(staging, NAME);
        Files.writeString(staging.resolve(CARD), JSON.writeValueAsString(judge.card) + "\n");
      });
    } catch (IOException | RuntimeException e) {
      judge.close();
      throw e;
    }
    return judge;
  }

  /**
   * Loads a judge written by {@link #trainOrLoad}.
   *
   * @throws IOException naming the directory if it holds no judge of this world
   */
  public static FashionJudge load(Path dir, FashionWorldSpec spec) throws IOException {
    JudgeCard card = readCard(dir).orElseThrow(() -> new java.nio.file.NoSuchFileException(
        dir.resolve(CARD).toString(), null, "no judge here; train one with FashionJudge.trainOrLoad"));
    if (card.grid() != spec.grid() || card.cellSize() != spec.cellSize() || !card.labels().equals(labels(spec))) {
      throw new IOException(dir + ": the judge was trained for another world (" + card.labels() + ", cells of "
          + card.cellSize() + " pixels)");
    }
    Model model = Model.newInstance(NAME, Device.cpu(), "PyTorch");
    try {
      model.setBlock(JudgeNetwork.block(card.labels().size()));
      model.load(dir, NAME);
    } catch (MalformedModelException | IOException | RuntimeException e) {
      model.close();
      throw new IOException(dir + ": the judge's weights cannot be read: " + e.getMessage(), e);
    }
    return new FashionJudge(model, spec, card);
  }

  /** Trains a judge in memory (no cache) and measures it on the test split. */
  static FashionJudge train(FashionWorldSpec spec, FashionItems train, FashionItems test, JudgeSettings settings,
      Map<String, String> files, ProgressListener progress) {
    long begin = System.nanoTime();
    List<Cell> cells = trainingCells(spec, train, settings.seed());
    int side = spec.cellSize();
    int outputs = spec.classes().size() + 1;
    Model model = Model.newInstance(NAME, Device.cpu(), "PyTorch");
    try {
      model.setBlock(JudgeNetwork.block(outputs));
      DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
          .optInitializer(new XavierInitializer(), Parameter.Type.WEIGHT)
          .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) settings.learningRate())).build());
      try (Trainer trainer = model.newTrainer(config)) {
        Engine.getEngine("PyTorch").setRandomSeed((int) settings.seed());
        trainer.initialize(new Shape(settings.batch(), JudgeNetwork.CHANNELS, side, side));
        SplittableRandom random = new SplittableRandom(settings.seed() ^ 0x5DEECE66DL);
        int steps = (cells.size() + settings.batch() - 1) / settings.batch();
        for (int epoch = 0; epoch < settings.epochs(); epoch++) {
          int[] order = shuffled(cells.size(), random);
          for (int step = 0; step < steps; step++) {
            int from = step * settings.batch();
            int to = Math.min(cells.size(), from + settings.batch());
            trainStep(trainer, spec, train, cells, order, from, to, settings.noise(), random, outputs);
            progress.onProgress((long) epoch * steps + step + 1, (long) settings.epochs() * steps,
                "epoch " + (epoch + 1));
          }
        }
      }
      FashionJudge judge = new FashionJudge(model, spec, null);
      int[][] confusion = judge.confusion(test, settings.seed());
      double accuracy = trace(confusion) / (double) total(confusion);
      JudgeCard card = new JudgeCard(JudgeCard.FORMAT, settings, spec.grid(), spec.cellSize(), labels(spec), files,
          cells.size(), accuracy, confusion, Math.round((System.nanoTime() - begin) / 1e7) / 100.0);
      return new FashionJudge(model, spec, card);
    } catch (RuntimeException | Error e) {
      model.close();
      throw e;
    }
  }

  private static void trainStep(Trainer trainer, FashionWorldSpec spec, FashionItems items, List<Cell> cells,
      int[] order, int from, int to, int noise, SplittableRandom random, int outputs) {
    int side = spec.cellSize();
    int n = to - from;
    float[] x = new float[n * JudgeNetwork.CHANNELS * side * side];
    float[] target = new float[n * outputs];
    for (int k = 0; k < n; k++) {
      Cell cell = cells.get(order[from + k]);
      JudgeNetwork.encode(noisy(draw(spec, items, cell), noise, random), x, k * JudgeNetwork.CHANNELS * side * side);
      target[k * outputs + cell.label()] = 1;
    }
    try (NDManager batch = trainer.getManager().newSubManager();
        GradientCollector collector = trainer.newGradientCollector()) {
      NDArray input = batch.create(x, new Shape(n, JudgeNetwork.CHANNELS, side, side));
      NDArray oneHot = batch.create(target, new Shape(n, outputs));
      NDArray logits = trainer.forward(new NDList(input)).singletonOrThrow();
      NDArray loss = logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).neg().mean();
      collector.backward(loss);
    }
    trainer.step();
  }

  @Override
  public List<Verdict> judge(List<BufferedImage> images) {
    int side = spec.cellSize();
    List<int[]> cells = new ArrayList<>(images.size());
    for (BufferedImage image : images) {
      if (image.getWidth() != side || image.getHeight() != side) {
        throw new IllegalArgumentException("A cell must be " + side + "x" + side + " pixels, got "
            + image.getWidth() + "x" + image.getHeight());
      }
      cells.add(image.getRGB(0, 0, side, side, null, 0, side));
    }
    List<Verdict> verdicts = new ArrayList<>(cells.size());
    for (float[][] probabilities : probabilities(cells)) {
      for (float[] p : probabilities) {
        int best = argmax(p);
        Optional<FashionClass> kind = best < spec.classes().size() ? Optional.of(spec.classes().get(best))
            : Optional.empty();
        verdicts.add(new Verdict(kind, p[best]));
      }
    }
    return verdicts;
  }

  /** Softmax outputs for cells, in chunks of 512. */
  private List<float[][]> probabilities(List<int[]> cells) {
    int side = spec.cellSize();
    int outputs = spec.classes().size() + 1;
    List<float[][]> chunks = new ArrayList<>();
    Block block = model.getBlock();
    for (int from = 0; from < cells.size(); from += 512) {
      int n = Math.min(512, cells.size() - from);
      float[] x = new float[n * JudgeNetwork.CHANNELS * side * side];
      for (int k = 0; k < n; k++) {
        JudgeNetwork.encode(cells.get(from + k), x, k * JudgeNetwork.CHANNELS * side * side);
      }
      try (NDManager manager = model.getNDManager().newSubManager()) {
        NDArray input = manager.create(x, new Shape(n, JudgeNetwork.CHANNELS, side, side));
        NDArray p = block.forward(new ParameterStore(manager, false), new NDList(input), false)
            .singletonOrThrow().softmax(1);
        float[] flat = p.toFloatArray();
        float[][] rows = new float[n][outputs];
        for (int k = 0; k < n; k++) {
          System.arraycopy(flat, k * outputs, rows[k], 0, outputs);
        }
        chunks.add(rows);
      }
    }
    return chunks;
  }

  /**
   * The confusion matrix over the test split: every item of the world's classes in a cell with a
   * seeded random tint, and as many empty cells as the largest class has items.
   */
  int[][] confusion(FashionItems test, long seed) {
    List<Cell> cells = evaluationCells(spec, test, seed);
    List<int[]> pixels = new ArrayList<>(cells.size());
    for (Cell cell : cells) {
      pixels.add(draw(spec, test, cell));
    }
    int outputs = spec.classes().size() + 1;
    int[][] confusion = new int[outputs][outputs];
    int k = 0;
    for (float[][] chunk : probabilities(pixels)) {
      for (float[] p : chunk) {
        confusion[cells.get(k++).label()][argmax(p)]++;
      }
    }
    return confusion;
  }

  /** One cell to draw: an item (or none, {@code item < 0}), its label and tint. */
  private record Cell(int item, int label, WorldColor tint) {}

  private static List<Cell> trainingCells(FashionWorldSpec spec, FashionItems items, long seed) {
    return cells(spec, items, new SplittableRandom(seed));
  }

  private static List<Cell> evaluationCells(FashionWorldSpec spec, FashionItems items, long seed) {
    return cells(spec, items, new SplittableRandom(seed + 1));
  }

  private static List<Cell> cells(FashionWorldSpec spec, FashionItems items, SplittableRandom random) {
    List<Cell> cells = new ArrayList<>();
    int[] perClass = new int[spec.classes().size()];
    WorldColor[] tints = WorldColor.values();
    for (int i = 0; i < items.size(); i++) {
      int label = spec.classes().indexOf(items.label(i));
      if (label >= 0) {
        cells.add(new Cell(i, label, tints[random.nextInt(tints.length)]));
        perClass[label]++;
      }
    }
    int empty = java.util.Arrays.stream(perClass).max().orElse(0);
    for (int i = 0; i < empty; i++) {
      cells.add(new Cell(-1, spec.classes().size(), tints[0]));
    }
    return cells;
  }

  private static int[] draw(FashionWorldSpec spec, FashionItems items, Cell cell) {
    int side = spec.cellSize();
    int[] rgb = new int[side * side];
    if (cell.item() < 0) {
      java.util.Arrays.fill(rgb, WorldColor.BACKGROUND_RGB);
      return rgb;
    }
    int[] ink = FashionSceneRenderer.ink(items, cell.item(), side);
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = FashionSceneRenderer.blendOf(WorldColor.BACKGROUND_RGB, cell.tint().rgb(), ink[i]);
    }
    return rgb;
  }

  private static int[] noisy(int[] rgb, int amplitude, SplittableRandom random) {
    if (amplitude == 0) {
      return rgb;
    }
    int level = random.nextInt(amplitude + 1);
    if (level == 0) {
      return rgb;
    }
    int[] out = new int[rgb.length];
    for (int i = 0; i < rgb.length; i++) {
      int pixel = 0;
      for (int shift = 16; shift >= 0; shift -= 8) {
        int c = (rgb[i] >> shift & 0xFF) + random.nextInt(-level, level + 1);
        pixel |= Math.max(0, Math.min(255, c)) << shift;
      }
      out[i] = pixel;
    }
    return out;
  }

  private static int[] shuffled(int n, SplittableRandom random) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    return order;
  }

  private static List<String> labels(FashionWorldSpec spec) {
    List<String> labels = new ArrayList<>();
    spec.classes().forEach(kind -> labels.add(kind.label()));
    labels.add("empty");
    return labels;
  }

  private static Optional<JudgeCard> readCard(Path dir) throws IOException {
    Path file = dir.resolve(CARD);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(file.toFile(), JudgeCard.class));
    } catch (IOException e) {
      throw new IOException(file + ": not a judge card (" + e.getMessage() + "); delete " + dir + " to retrain", e);
    }
  }

  private static Map<String, String> datasetHashes(Path dir) throws IOException {
    Map<String, String> hashes = new LinkedHashMap<>();
    for (Split split : Split.values()) {
      for (String name : List.of(split.imagesFile(), split.labelsFile())) {
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
          FashionMnist.read(dir, split); // throws the message that says how to install it
        }
        hashes.put(name, Manifest.sha256(file));
      }
    }
    return hashes;
  }

  private static int argmax(float[] p) {
    int best = 0;
    for (int i = 1; i < p.length; i++) {
      if (p[i] > p[best]) {
        best = i;
      }
    }
    return best;
  }

  private static int trace(int[][] m) {
    int t = 0;
    for (int i = 0; i < m.length; i++) {
      t += m[i][i];
    }
    return t;
  }

  private static int total(int[][] m) {
    int t = 0;
    for (int[] row : m) {
      for (int v : row) {
        t += v;
      }
    }
    return t;
  }

  @Override
  public void close() {
    model.close();
  }
}
