package org.aia4j.evaluation.mmbench;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.aia4j.evaluation.io.Images;
import org.aia4j.evaluation.world.ColorShape;
import org.aia4j.evaluation.world.ImageSplit;
import org.aia4j.evaluation.world.ObjectClass;
import org.aia4j.evaluation.world.Scene;
import org.aia4j.evaluation.world.SceneObject;
import org.aia4j.evaluation.world.SceneSampler;
import org.aia4j.evaluation.world.ShapesWorld;
import org.aia4j.evaluation.world.Slot;
import org.aia4j.evaluation.world.World;
import org.aia4j.evaluation.world.WorldColor;
import org.aia4j.evaluation.world.WorldSpec;

/**
 * Seeded multiple-choice questions over world scenes, one scene per question, in the seven
 * {@link MmbenchCategory categories} taken in turn.
 *
 * <p>Every question has 2 to 4 options with exactly one right, and its distractors are plausible:
 * colours and shapes that occur elsewhere in the scene, absent objects that share a colour or a
 * shape with a present one, neighbouring counts. The right answer's letter is balanced: among
 * questions with {@code n} options, every block of {@code n} puts it once under each letter, in
 * a seeded random order. Scenes come from {@link SceneSampler#allCombinations}, so they include
 * the held-out colour-shape combinations (the suite tests composition, not memory); a
 * {@link #trainingOnly} generator draws training questions that never show nor name them. Questions that
 * name an object only name one the scene holds once, and spatial questions only ask about pairs
 * whose relation is unambiguous (same row or column for the four-way question).
 *
 * <p>The same spec, seed and count always give the same questions.
 */
public final class MmbenchGenerator {
  /** Option texts of the yes/no questions. */
  static final String YES = "yes";
  static final String NO = "no";
  static final List<String> QUADRANTS = List.of("top left", "top right", "bottom left", "bottom right");
  static final String LEFT = "to the left";
  static final String RIGHT = "to the right";
  static final String ABOVE = "above";
  static final String BELOW = "below";
  static final String SAME_NUMBER = "the same number of each";

  private static final int MAX_ATTEMPTS = 10_000;

  private final World world;
  private final WorldSpec spec;
  private final long seed;
  private final SceneSampler sampler;
  private final boolean trainingOnly;
  private final Map<Integer, ArrayDeque<Integer>> letterBlocks = new HashMap<>();

  /**
   * A generator of evaluation questions: scenes over every combination, held-out ones included,
   * drawn from the world's evaluation split.
   */
  public MmbenchGenerator(World world, long seed) {
    this(world, seed, false);
  }

  /** A generator of evaluation questions of the shapes world {@code spec}. */
  public MmbenchGenerator(WorldSpec spec, long seed) {
    this(new ShapesWorld(spec), seed, false);
  }

  private MmbenchGenerator(World world, long seed, boolean trainingOnly) {
    this.world = Objects.requireNonNull(world, "world");
    this.spec = world.spec();
    this.seed = seed;
    this.trainingOnly = trainingOnly;
    this.sampler = trainingOnly ? SceneSampler.trainingOnly(spec, seed) : SceneSampler.allCombinations(spec, seed);
  }

  /**
   * A generator of training questions: the same templates, but no question's scene shows, and no
   * question or option names, a combination {@code spec} holds out (a question that would is
   * drawn again), images from the world's training split. Used by {@code org.aia4j.evaluation.data}.
   */
  public static MmbenchGenerator trainingOnly(World world, long seed) {
    return new MmbenchGenerator(world, seed, true);
  }

  /** {@link #trainingOnly(World, long)} of the shapes world {@code spec}. */
  public static MmbenchGenerator trainingOnly(WorldSpec spec, long seed) {
    return new MmbenchGenerator(new ShapesWorld(spec), seed, true);
  }

  /** A question together with the scene its image shows. */
  public record WithScene(MmbenchQuestion question, Scene scene) {}

  /**
   * {@code count} original (unrotated) questions with indices {@code 0 .. count-1}, split
   * {@code dev}, categories in turn.
   */
  public List<MmbenchQuestion> generate(int count) {
    if (count < 1 || count > CircularEval.OFFSET) {
      throw new IllegalArgumentException("Question count must be in [1, " + CircularEval.OFFSET + "], got " + count);
    }
    MmbenchCategory[] categories = MmbenchCategory.values();
    List<MmbenchQuestion> questions = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      questions.add(generate(categories[i % categories.length], i));
    }
    return questions;
  }

  /** One question of {@code category} with row index {@code index}. */
  public MmbenchQuestion generate(MmbenchCategory category, long index) {
    return generateWithScene(category, index).question();
  }

  /** One question of {@code category} with row index {@code index}, and its scene. */
  public WithScene generateWithScene(MmbenchCategory category, long index) {
    for (int i = 0; i < MAX_ATTEMPTS; i++) {
      Draft draft = draft(category);
      if (!trainingOnly || showsNoHeldOut(draft)) {
        return new WithScene(finish(draft, category, index), draft.scene());
      }
    }
    throw new IllegalStateException("No " + category.label() + " question avoids the held-out combinations "
        + spec.heldOut() + " in " + MAX_ATTEMPTS + " attempts");
  }

  private boolean showsNoHeldOut(Draft draft) {
    if (!draft.scene().objects().stream().allMatch(o -> spec.isTrainable(o.colorShape()))) {
      return false;
    }
    List<String> texts = new ArrayList<>(draft.distractors());
    texts.add(draft.question());
    texts.add(draft.correct());
    for (ColorShape held : spec.heldOut()) {
      // "red triangle" or "red triangles" as whole words.
      Pattern named = Pattern.compile(
          "\\b" + held.color().label() + " (" + held.shape().label() + "|" + held.shape().plural() + ")\\b");
      if (texts.stream().anyMatch(t -> named.matcher(t).find())) {
        return false;
      }
    }
    return true;
  }

  private Draft draft(MmbenchCategory category) {
    return switch (category) {
      case EXISTENCE -> coin() ? existsYesNo() : whichAppears();
      case COUNTING -> counting();
      case COLOR_RECOGNITION -> attempt(this::colorOfShape);
      case SHAPE_RECOGNITION -> attempt(this::shapeOfColor);
      case OBJECT_LOCALIZATION -> coin() ? attempt(this::quadrant) : attempt(this::half);
      case SPATIAL_RELATIONSHIP -> coin() ? attempt(this::fourWayRelation) : attempt(this::twoWayRelation);
      case ATTRIBUTE_COMPARISON -> coin() ? moreOrFewer() : attempt(this::sameColor);
    };
  }

  /** A question before its options get letters: the right option text and the wrong ones. */
  private record Draft(Scene scene, String question, String correct, List<String> distractors) {}

  private MmbenchQuestion finish(Draft draft, MmbenchCategory category, long index) {
    int n = draft.distractors().size() + 1;
    int answer = nextLetter(n);
    List<String> wrong = new ArrayList<>(draft.distractors());
    shuffle(wrong);
    Map<String, String> options = new LinkedHashMap<>();
    for (int p = 0, w = 0; p < n; p++) {
      options.put(String.valueOf((char) ('A' + p)), p == answer ? draft.correct() : wrong.get(w++));
    }
    // The variant is a function of the seed and the row, not a draw, so adding it left every
    // scene of the shapes world's suites as it was.
    long variant = seed * 0x9E3779B97F4A7C15L + index;
    String image = Images.toBase64Png(world.render(draft.scene(),
        trainingOnly ? ImageSplit.TRAINING : ImageSplit.EVALUATION, variant));
    return new MmbenchQuestion(index, draft.question(), "", options, String.valueOf((char) ('A' + answer)),
        category.label(), category.l2Category(), "dev", image);
  }

  // ---- existence ------------------------------------------------------------------------------

  private Draft existsYesNo() {
    Scene scene = sampler.sample();
    ColorShape target = coin() ? pick(scene.objects()).colorShape() : absentLike(scene, List.of());
    boolean present = contains(scene, target);
    return new Draft(scene, "Is there " + withArticle(target.toString()) + " in the image?", present ? YES : NO,
        List.of(present ? NO : YES));
  }

  private Draft whichAppears() {
    Scene scene = sampler.sample();
    ColorShape target = pick(scene.objects()).colorShape();
    List<ColorShape> absent = new ArrayList<>();
    while (absent.size() < 3) {
      absent.add(absentLike(scene, absent));
    }
    return new Draft(scene, "Which of the following objects appears in the image?", target.toString(),
        absent.stream().map(ColorShape::toString).toList());
  }

  /** A combination not in the scene nor in {@code taken}, usually one colour or shape off a present object. */
  private ColorShape absentLike(Scene scene, List<ColorShape> taken) {
    for (int i = 0; i < MAX_ATTEMPTS; i++) {
      SceneObject near = pick(scene.objects());
      ColorShape candidate = i < 20
          ? (coin() ? new ColorShape(near.color(), otherShape(near.shape()))
              : new ColorShape(sampler.randomColorExcept(near.color()), near.shape()))
          : new ColorShape(sampler.randomColor(), sampler.randomShape());
      if (!contains(scene, candidate) && !taken.contains(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("No absent object for " + scene);
  }

  // ---- counting -------------------------------------------------------------------------------

  private Draft counting() {
    ObjectClass target = sampler.randomShape();
    int max = WorldSpec.MAX_OBJECTS;
    int count = sampler.nextInt(max + 1);
    int total = Math.max(count, 1) + sampler.nextInt(max - Math.max(count, 1) + 1);
    List<SceneObject> objects = new ArrayList<>();
    List<Slot> slots = sampler.freeSlots(total, List.of());
    for (int i = 0; i < total; i++) {
      ObjectClass shape = i < count ? target : otherShape(target);
      objects.add(new SceneObject(shape, sampler.randomColor(), slots.get(i)));
    }
    List<String> wrong = new ArrayList<>();
    for (int k = 0; k <= max; k++) {
      if (k != count) {
        wrong.add(Integer.toString(k));
      }
    }
    shuffle(wrong);
    return new Draft(new Scene(objects), "How many " + target.plural() + " are there in the image?",
        Integer.toString(count), wrong.subList(0, 3));
  }

  // ---- colour and shape recognition -----------------------------------------------------------

  private Optional<Draft> colorOfShape() {
    Scene scene = sampler.sample();
    List<SceneObject> unique = scene.objects().stream().filter(o -> scene.count(o.shape()) == 1).toList();
    if (unique.isEmpty()) {
      return Optional.empty();
    }
    SceneObject target = pick(unique);
    List<String> wrong = new ArrayList<>();
    for (SceneObject other : scene.objects()) {
      String label = other.color().label();
      if (other.color() != target.color() && !wrong.contains(label) && wrong.size() < 3) {
        wrong.add(label);
      }
    }
    while (wrong.size() < 3) {
      String label = sampler.randomColorExcept(target.color()).label();
      if (!wrong.contains(label)) {
        wrong.add(label);
      }
    }
    return Optional.of(new Draft(scene, "What color is the " + target.shape().label() + " in the image?",
        target.color().label(), wrong));
  }

  private Optional<Draft> shapeOfColor() {
    Scene scene = sampler.sample();
    List<SceneObject> unique = scene.objects().stream()
        .filter(o -> scene.objects().stream().filter(x -> x.color() == o.color()).count() == 1).toList();
    if (unique.isEmpty()) {
      return Optional.empty();
    }
    SceneObject target = pick(unique);
    List<String> wrong = new ArrayList<>();
    for (ObjectClass shape : spec.classes()) {
      if (shape != target.shape()) {
        wrong.add(shape.label());
      }
    }
    shuffle(wrong);
    return Optional.of(new Draft(scene, "What " + spec.classWord() + " is the " + target.color().label() + " object in the image?",
        target.shape().label(), wrong.subList(0, Math.min(3, wrong.size()))));
  }

  // ---- localisation and spatial relations -----------------------------------------------------

  private Optional<Draft> quadrant() {
    Scene scene = sampler.sample();
    List<SceneObject> candidates = uniqueCombinations(scene).stream()
        .filter(o -> horizontal(o.slot()) != 0 && vertical(o.slot()) != 0).toList();
    if (candidates.isEmpty()) {
      return Optional.empty();
    }
    SceneObject target = pick(candidates);
    String correct = QUADRANTS.get((vertical(target.slot()) > 0 ? 2 : 0) + (horizontal(target.slot()) > 0 ? 1 : 0));
    List<String> wrong = QUADRANTS.stream().filter(q -> !q.equals(correct)).toList();
    return Optional.of(new Draft(scene, "In which part of the image is the " + target.colorShape() + "?", correct,
        wrong));
  }

  private Optional<Draft> half() {
    Scene scene = sampler.sample();
    boolean leftRight = coin();
    List<SceneObject> candidates = uniqueCombinations(scene).stream()
        .filter(o -> (leftRight ? horizontal(o.slot()) : vertical(o.slot())) != 0).toList();
    if (candidates.isEmpty()) {
      return Optional.empty();
    }
    SceneObject target = pick(candidates);
    String first = leftRight ? "left half" : "top half";
    String second = leftRight ? "right half" : "bottom half";
    boolean isSecond = (leftRight ? horizontal(target.slot()) : vertical(target.slot())) > 0;
    return Optional.of(new Draft(scene, "Is the " + target.colorShape() + " in the " + first + " or the " + second
        + " of the image?", isSecond ? second : first, List.of(isSecond ? first : second)));
  }

  private Optional<Draft> fourWayRelation() {
    Scene scene = sampler.sample(2 + sampler.nextInt(WorldSpec.MAX_OBJECTS - 1));
    List<SceneObject[]> pairs = new ArrayList<>();
    for (SceneObject a : uniqueCombinations(scene)) {
      for (SceneObject b : uniqueCombinations(scene)) {
        if (a != b && (a.slot().row() == b.slot().row() || a.slot().col() == b.slot().col())) {
          pairs.add(new SceneObject[] {a, b});
        }
      }
    }
    if (pairs.isEmpty()) {
      return Optional.empty();
    }
    SceneObject[] pair = pick(pairs);
    Slot a = pair[0].slot();
    Slot b = pair[1].slot();
    String correct = a.row() == b.row() ? (a.col() < b.col() ? LEFT : RIGHT) : (a.row() < b.row() ? ABOVE : BELOW);
    List<String> wrong = new ArrayList<>(List.of(LEFT, RIGHT, ABOVE, BELOW));
    wrong.remove(correct);
    return Optional.of(new Draft(scene, "Where is the " + pair[0].colorShape() + " relative to the "
        + pair[1].colorShape() + "?", correct, wrong));
  }

  private Optional<Draft> twoWayRelation() {
    Scene scene = sampler.sample(2 + sampler.nextInt(WorldSpec.MAX_OBJECTS - 1));
    boolean leftRight = coin();
    List<SceneObject[]> pairs = new ArrayList<>();
    for (SceneObject a : uniqueCombinations(scene)) {
      for (SceneObject b : uniqueCombinations(scene)) {
        if (a != b && (leftRight ? a.slot().col() != b.slot().col() : a.slot().row() != b.slot().row())) {
          pairs.add(new SceneObject[] {a, b});
        }
      }
    }
    if (pairs.isEmpty()) {
      return Optional.empty();
    }
    SceneObject[] pair = pick(pairs);
    Slot a = pair[0].slot();
    Slot b = pair[1].slot();
    if (leftRight) {
      boolean left = a.col() < b.col();
      return Optional.of(new Draft(scene, "Is the " + pair[0].colorShape() + " to the left or to the right of the "
          + pair[1].colorShape() + "?", left ? LEFT : RIGHT, List.of(left ? RIGHT : LEFT)));
    }
    boolean above = a.row() < b.row();
    return Optional.of(new Draft(scene, "Is the " + pair[0].colorShape() + " above or below the "
        + pair[1].colorShape() + "?", above ? ABOVE : BELOW, List.of(above ? BELOW : ABOVE)));
  }

  // ---- attribute comparison -------------------------------------------------------------------

  private Draft moreOrFewer() {
    ObjectClass first = sampler.randomShape();
    ObjectClass second = otherShape(first);
    int max = WorldSpec.MAX_OBJECTS;
    int relation = sampler.nextInt(3); // 0: more of the first, 1: more of the second, 2: as many
    int low;
    int high;
    if (relation == 2) {
      low = 1 + sampler.nextInt(max / 2);
      high = low;
    } else {
      high = 1 + sampler.nextInt(max);
      low = sampler.nextInt(Math.min(high, max - high + 1));
    }
    int firstCount = relation == 1 ? low : high;
    int secondCount = relation == 1 ? high : low;
    int others = sampler.nextInt(max - firstCount - secondCount + 1);
    List<Slot> slots = sampler.freeSlots(firstCount + secondCount + others, List.of());
    List<SceneObject> objects = new ArrayList<>();
    for (int i = 0; i < slots.size(); i++) {
      ObjectClass shape = i < firstCount ? first : i < firstCount + secondCount ? second : thirdShape(first, second);
      objects.add(new SceneObject(shape, sampler.randomColor(), slots.get(i)));
    }
    String more1 = "more " + first.plural();
    String more2 = "more " + second.plural();
    String correct = relation == 0 ? more1 : relation == 1 ? more2 : SAME_NUMBER;
    List<String> wrong = new ArrayList<>(List.of(more1, more2, SAME_NUMBER));
    wrong.remove(correct);
    return new Draft(new Scene(objects), "Are there more " + first.plural() + " or more " + second.plural()
        + " in the image?", correct, wrong);
  }

  private Optional<Draft> sameColor() {
    Scene sampled = sampler.sample(2 + sampler.nextInt(WorldSpec.MAX_OBJECTS - 1));
    List<SceneObject> unique = sampled.objects().stream().filter(o -> sampled.count(o.shape()) == 1).toList();
    if (unique.size() < 2) {
      return Optional.empty();
    }
    SceneObject a = pick(unique);
    SceneObject b;
    do {
      b = pick(unique);
    } while (b == a);
    boolean same = coin();
    WorldColor color = same ? a.color() : (b.color() == a.color() ? sampler.randomColorExcept(a.color()) : b.color());
    SceneObject recoloured = new SceneObject(b.shape(), color, b.slot());
    List<SceneObject> objects = new ArrayList<>(sampled.objects());
    objects.set(objects.indexOf(b), recoloured);
    return Optional.of(new Draft(new Scene(objects), "Do the " + a.shape().label() + " and the " + b.shape().label()
        + " have the same color?", same ? YES : NO, List.of(same ? NO : YES)));
  }

  // ---- helpers --------------------------------------------------------------------------------

  private Draft attempt(Supplier<Optional<Draft>> template) {
    for (int i = 0; i < MAX_ATTEMPTS; i++) {
      Optional<Draft> draft = template.get();
      if (draft.isPresent()) {
        return draft.get();
      }
    }
    throw new IllegalStateException("No scene fits the question template in " + MAX_ATTEMPTS + " attempts");
  }

  /** The next right-answer position for an {@code n}-option question: seeded blocks of 0..n-1. */
  private int nextLetter(int n) {
    ArrayDeque<Integer> block = letterBlocks.computeIfAbsent(n, k -> new ArrayDeque<>());
    if (block.isEmpty()) {
      List<Integer> order = new ArrayList<>();
      for (int p = 0; p < n; p++) {
        order.add(p);
      }
      shuffle(order);
      block.addAll(order);
    }
    return block.poll();
  }

  /** -1 left of the image's vertical centre line, +1 right of it, 0 on it (odd grids). */
  private int horizontal(Slot slot) {
    return Integer.signum(2 * slot.col() + 1 - spec.grid());
  }

  /** -1 above the horizontal centre line, +1 below it, 0 on it. */
  private int vertical(Slot slot) {
    return Integer.signum(2 * slot.row() + 1 - spec.grid());
  }

  /** "a red circle", "an orange cross". */
  private static String withArticle(String noun) {
    return ("aeiou".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
  }

  private static List<SceneObject> uniqueCombinations(Scene scene) {
    return scene.objects().stream()
        .filter(o -> scene.objects().stream().filter(x -> x.colorShape().equals(o.colorShape())).count() == 1)
        .toList();
  }

  private static boolean contains(Scene scene, ColorShape combination) {
    return scene.objects().stream().anyMatch(o -> o.colorShape().equals(combination));
  }

  private ObjectClass otherShape(ObjectClass excluded) {
    List<ObjectClass> shapes = spec.classes();
    int pick = sampler.nextInt(shapes.size() - 1);
    return shapes.get(pick >= spec.indexOf(excluded) ? pick + 1 : pick);
  }

  private ObjectClass thirdShape(ObjectClass a, ObjectClass b) {
    ObjectClass shape;
    do {
      shape = sampler.randomShape();
    } while (shape == a || shape == b);
    return shape;
  }

  private boolean coin() {
    return sampler.nextInt(2) == 0;
  }

  private <T> T pick(List<T> items) {
    return items.get(sampler.nextInt(items.size()));
  }

  private <T> void shuffle(List<T> items) {
    for (int i = items.size() - 1; i > 0; i--) {
      int j = sampler.nextInt(i + 1);
      T tmp = items.get(i);
      items.set(i, items.get(j));
      items.set(j, tmp);
    }
  }
}
