package org.aia4j.evaluation.data;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.aia4j.api.data.GenerationSample;
import org.aia4j.api.data.TrainingData;
import org.aia4j.api.data.UnderstandingSample;
import org.aia4j.evaluation.geneval.GenEvalOracle;
import org.aia4j.evaluation.geneval.GenEvalPrompt;
import org.aia4j.evaluation.geneval.GenEvalSuite;
import org.aia4j.evaluation.geneval.SpatialRelation;
import org.aia4j.evaluation.mmbench.CircularEval;
import org.aia4j.evaluation.mmbench.MmbenchCategory;
import org.aia4j.evaluation.mmbench.MmbenchGenerator;
import org.aia4j.evaluation.mmbench.MmbenchQuestion;
import org.aia4j.evaluation.world.ColorShape;
import org.aia4j.evaluation.world.ImageSplit;
import org.aia4j.evaluation.world.ObjectClass;
import org.aia4j.evaluation.world.Scene;
import org.aia4j.evaluation.world.SceneSampler;
import org.aia4j.evaluation.world.ShapesWorld;
import org.aia4j.evaluation.world.World;
import org.aia4j.evaluation.world.WorldColor;
import org.aia4j.evaluation.world.WorldSpec;

/**
 * Training data drawn from the embedded world: understanding and generation samples in the mix of
 * {@link WorldDataOptions}, random access by index.
 *
 * <p>Sample {@code i} of a task is a pure function of {@code (spec, seed, options, task, i)}: it
 * is drawn from a {@link SplittableRandom} seeded with a SplitMix64 mix of the seed, the task and
 * {@code i}, so resuming, sharding and repeating are trivial. Instances are immutable and
 * thread-safe.
 *
 * <p>Understanding samples:
 *
 * <ul>
 *   <li>multiple choice: a question of {@link MmbenchGenerator#trainingOnly} (the evaluation's
 *       templates, categories equally likely), rotated by a random CircularEval rotation so answer
 *       letters are uniform; prompt {@link MmbenchQuestion#prompt()} exactly as the evaluation
 *       builds it, answer the option's text ("blue"), which MMBench's answer extraction maps to its letter;
 *   <li>caption: one of {@link WorldCaption#PROMPTS}, answer {@link WorldCaption#of the caption};
 *   <li>short answer: a question of {@link DirectQuestions}.
 * </ul>
 *
 * <p>Generation samples: a prompt of one of GenEval's six templates (tags equally likely; the
 * phrasing of {@link GenEvalSuite}) with a scene built by {@link GenEvalOracle} that satisfies
 * it, colours and slots random where the prompt leaves them free; or a dense caption with its
 * scene.
 *
 * <p>No image, prompt or answer shows or names a combination {@link WorldSpec#heldOut} holds out:
 * every draw is built from training combinations and then checked, and a violation is an
 * {@link IllegalStateException}, never a silently emitted sample.
 */
public final class WorldTrainingData implements TrainingData {
  /** The kinds of understanding sample. */
  public enum UnderstandingKind { MULTIPLE_CHOICE, CAPTION, SHORT_ANSWER }

  /** The kinds of generation sample. */
  public enum GenerationKind { GENEVAL, CAPTION }

  /**
   * An understanding sample with what it was made from.
   *
   * @param scene the scene the image shows
   */
  public record UnderstandingDraw(UnderstandingKind kind, Scene scene, UnderstandingSample sample) {}

  /**
   * A generation sample with what it was made from.
   *
   * @param geneval the GenEval prompt (tag and clauses) for {@link GenerationKind#GENEVAL}, else {@code null}
   * @param scene the scene the image shows
   */
  public record GenerationDraw(GenerationKind kind, GenEvalPrompt geneval, Scene scene, GenerationSample sample) {}

  private static final long UNDERSTANDING_STREAM = 1;
  private static final long GENERATION_STREAM = 2;
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;
  private static final int MAX_REDRAWS = 1_000;

  private final World world;
  private final WorldSpec spec;
  private final long seed;
  private final WorldDataOptions options;
  private final GenEvalOracle oracle;
  private final DirectQuestions direct;
  private final HeldOutGuard guard;
  private final List<ColorShape> trainable;
  private volatile List<String> corpus;

  /**
   * @throws IllegalArgumentException if some shape has no trainable colour (its objects could not
   *     be drawn), or fewer than two colours are trainable for some pair of shapes
   */
  public WorldTrainingData(World world, long seed, WorldDataOptions options) {
    this.world = Objects.requireNonNull(world, "world");
    this.spec = world.spec();
    this.seed = seed;
    this.options = Objects.requireNonNull(options, "options");
    this.oracle = new GenEvalOracle(world);
    this.direct = new DirectQuestions(spec);
    this.guard = new HeldOutGuard(spec);
    List<ColorShape> combinations = new ArrayList<>();
    for (ObjectClass shape : spec.classes()) {
      List<ColorShape> forShape = new ArrayList<>();
      for (WorldColor color : WorldColor.values()) {
        ColorShape combination = new ColorShape(color, shape);
        if (spec.isTrainable(combination)) {
          forShape.add(combination);
        }
      }
      if (forShape.size() < 2) {
        throw new IllegalArgumentException("The world holds out all but " + forShape.size() + " colour(s) of the "
            + shape.label() + "; training needs at least two: " + spec.heldOut());
      }
      combinations.addAll(forShape);
    }
    this.trainable = List.copyOf(combinations);
  }

  /** The shapes world {@code spec}'s data in {@code options}' mix. */
  public WorldTrainingData(WorldSpec spec, long seed, WorldDataOptions options) {
    this(new ShapesWorld(spec), seed, options);
  }

  /** The shapes world {@code spec}'s data in the default mix. */
  public WorldTrainingData(WorldSpec spec, long seed) {
    this(spec, seed, WorldDataOptions.defaults());
  }

  /** {@code world}'s data in the default mix. */
  public WorldTrainingData(World world, long seed) {
    this(world, seed, WorldDataOptions.defaults());
  }

  public WorldSpec spec() {
    return spec;
  }

  /** The world the samples are drawn in. */
  public World world() {
    return world;
  }

  public long seed() {
    return seed;
  }

  public WorldDataOptions options() {
    return options;
  }

  @Override
  public String describe() {
    String heldOut = spec.heldOut().stream().map(ColorShape::toString).sorted().collect(Collectors.joining(", "));
    // The shapes world keeps its old name: checkpoints compare this text to decide reuse.
    String name = ShapesWorld.NAME.equals(world.name()) ? "world" : world.name();
    return name + "(size=" + spec.imageSize() + ", grid=" + spec.grid() + ", seed=" + seed + ", heldOut=[" + heldOut
        + "], mix=" + options.describe() + ")";
  }

  @Override
  public int imageSize() {
    return spec.imageSize();
  }

  @Override
  public UnderstandingSample understanding(long index) {
    return drawUnderstanding(index).sample();
  }

  @Override
  public GenerationSample generation(long index) {
    return drawGeneration(index).sample();
  }

  /** Understanding sample {@code index} with its kind and scene. */
  public UnderstandingDraw drawUnderstanding(long index) {
    SplittableRandom random = random(UNDERSTANDING_STREAM, index);
    UnderstandingKind kind = UnderstandingKind.values()[
        pick(random, options.multipleChoice(), options.caption(), options.shortAnswer())];
    SceneSampler sampler = SceneSampler.trainingOnly(spec, random.nextLong());
    Scene scene;
    String prompt;
    String answer;
    switch (kind) {
      case MULTIPLE_CHOICE -> {
        MmbenchCategory category = MmbenchCategory.values()[random.nextInt(MmbenchCategory.values().length)];
        MmbenchGenerator.WithScene drawn =
            MmbenchGenerator.trainingOnly(world, random.nextLong()).generateWithScene(category, 0);
        MmbenchQuestion question = drawn.question();
        question = CircularEval.rotate(question, random.nextInt(CircularEval.rotations(question)));
        scene = drawn.scene();
        prompt = question.prompt();
        // The option's text, not its letter: saying what it sees is the skill the captions and
        // short answers train too, and MMBench's answer extraction maps a unique option text to
        // its letter. Measured: a model trained to add the letter ("blue (B)") got the text right
        // far more often than the letter, which it learnt to guess (circular 0.00 vs 0.50).
        answer = question.options().get(question.answer());
      }
      case CAPTION -> {
        scene = sampler.sample();
        prompt = WorldCaption.PROMPTS.get(random.nextInt(WorldCaption.PROMPTS.size()));
        answer = WorldCaption.of(scene);
      }
      default -> {
        scene = sampler.sample();
        DirectQuestions.QuestionAnswer qa = direct.ask(scene, sampler);
        prompt = qa.question();
        answer = qa.answer();
      }
    }
    check(index, scene, prompt, answer);
    // The variant is the stream's last draw, so the shapes world's samples are what they were before it.
    BufferedImage image = world.render(scene, ImageSplit.TRAINING, random.nextLong());
    return new UnderstandingDraw(kind, scene, new UnderstandingSample(image, prompt, answer));
  }

  /** Generation sample {@code index} with its kind, GenEval prompt (if any) and scene. */
  public GenerationDraw drawGeneration(long index) {
    SplittableRandom random = random(GENERATION_STREAM, index);
    GenerationKind kind = GenerationKind.values()[pick(random, options.genevalPrompt(), options.captionPrompt())];
    SceneSampler sampler = SceneSampler.trainingOnly(spec, random.nextLong());
    GenEvalPrompt geneval = null;
    Scene scene;
    String prompt;
    if (kind == GenerationKind.GENEVAL) {
      geneval = genevalPrompt(GenEvalPrompt.TAGS.get(random.nextInt(GenEvalPrompt.TAGS.size())), random);
      scene = satisfying(geneval, sampler);
      prompt = geneval.prompt();
    } else {
      scene = sampler.sample();
      prompt = WorldCaption.of(scene);
    }
    check(index, scene, prompt, "");
    BufferedImage image = world.render(scene, ImageSplit.TRAINING, random.nextLong());
    return new GenerationDraw(kind, geneval, scene, new GenerationSample(prompt, image));
  }

  /** A prompt of {@code tag}'s GenEval template over training combinations, choices from {@code random}. */
  private GenEvalPrompt genevalPrompt(String tag, SplittableRandom random) {
    List<ObjectClass> shapes = spec.classes();
    int indexA = random.nextInt(shapes.size());
    ObjectClass a = shapes.get(indexA);
    ObjectClass b = shapes.get((indexA + 1 + random.nextInt(shapes.size() - 1)) % shapes.size());
    return switch (tag) {
      case GenEvalPrompt.SINGLE_OBJECT -> GenEvalSuite.singleObject(a);
      case GenEvalPrompt.TWO_OBJECT -> GenEvalSuite.twoObject(a, b);
      case GenEvalPrompt.COUNTING -> GenEvalSuite.counting(a, 2 + random.nextInt(WorldSpec.MAX_OBJECTS - 1));
      case GenEvalPrompt.COLORS -> {
        ColorShape c = trainable.get(random.nextInt(trainable.size()));
        yield GenEvalSuite.colors(c.shape(), c.color());
      }
      case GenEvalPrompt.POSITION -> {
        SpatialRelation[] relations = SpatialRelation.values();
        yield GenEvalSuite.position(a, relations[random.nextInt(relations.length)], b);
      }
      case GenEvalPrompt.COLOR_ATTR -> {
        // Distinct shapes and distinct colours, both combinations trainable, as GenEval's template.
        List<ColorShape> forA = trainable.stream().filter(c -> c.shape() == a).toList();
        ColorShape first = forA.get(random.nextInt(forA.size()));
        List<ColorShape> forB = trainable.stream()
            .filter(c -> c.shape() == b && c.color() != first.color()).toList();
        ColorShape second = forB.get(random.nextInt(forB.size()));
        yield GenEvalSuite.colorAttr(first.shape(), first.color(), second.shape(), second.color());
      }
      default -> throw new IllegalStateException("Unknown GenEval tag " + tag);
    };
  }

  /** The oracle's scene for {@code prompt}, drawn again until its free colours are training ones. */
  private Scene satisfying(GenEvalPrompt prompt, SceneSampler sampler) {
    for (int i = 0; i < MAX_REDRAWS; i++) {
      Scene scene = oracle.scene(prompt, sampler);
      if (!guard.shows(scene)) {
        return scene;
      }
    }
    throw new IllegalStateException("No training scene for '" + prompt.prompt() + "' in " + MAX_REDRAWS + " draws");
  }

  private void check(long index, Scene scene, String prompt, String answer) {
    if (guard.shows(scene) || guard.names(prompt) || guard.names(answer)) {
      throw new IllegalStateException("Sample " + index + " of " + describe() + " would show or name a held-out "
          + "combination: " + scene + " / " + prompt + " / " + answer);
    }
  }

  /**
   * Every text the model may read or write: the training templates, caption words, MMBench's
   * prompt format, GenEval's templates, and the default suites' own prompts, options and answers
   * ({@link WorldVocabulary}). Computed once.
   */
  @Override
  public List<String> vocabularyCorpus() {
    List<String> texts = corpus;
    if (texts == null) {
      texts = WorldVocabulary.corpus(world);
      corpus = texts;
    }
    return texts;
  }

  /**
   * {@code count} rendered scenes of 1 to {@link WorldSpec#MAX_OBJECTS} objects from {@code seed}:
   * over every combination, or only training ones when {@link WorldDataOptions#tokenizerSeesHeldOut}
   * is false (see there why every combination is the default).
   */
  @Override
  public List<BufferedImage> tokenizerImages(int count, long seed) {
    if (count < 0) {
      throw new IllegalArgumentException("Image count must be >= 0, got " + count);
    }
    SceneSampler sampler = new SceneSampler(spec, seed, !options.tokenizerSeesHeldOut());
    List<BufferedImage> images = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      images.add(world.render(sampler.sample(), ImageSplit.TRAINING, seed * 0x9E3779B97F4A7C15L + i));
    }
    return images;
  }

  private SplittableRandom random(long stream, long index) {
    if (index < 0) {
      throw new IllegalArgumentException("Sample index must be >= 0, got " + index);
    }
    return new SplittableRandom(mix64(mix64(seed + stream * GOLDEN) + index * GOLDEN));
  }

  /** Index of a choice drawn with the given relative weights. */
  private static int pick(SplittableRandom random, double... weights) {
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    double u = random.nextDouble() * total;
    int last = 0;
    for (int i = 0; i < weights.length; i++) {
      if (weights[i] > 0) {
        last = i;
        if (u < weights[i]) {
          return i;
        }
        u -= weights[i];
      }
    }
    return last;
  }

  /** SplitMix64's finaliser (Stafford's variant 13): a bijective, well-mixing map of longs. */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
