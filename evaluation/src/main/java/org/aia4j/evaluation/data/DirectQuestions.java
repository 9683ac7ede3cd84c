package org.aia4j.evaluation.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.aia4j.evaluation.world.ColorShape;
import org.aia4j.evaluation.world.ObjectClass;
import org.aia4j.evaluation.world.Scene;
import org.aia4j.evaluation.world.SceneObject;
import org.aia4j.evaluation.world.SceneSampler;
import org.aia4j.evaluation.world.Slot;
import org.aia4j.evaluation.world.WorldColor;
import org.aia4j.evaluation.world.WorldSpec;

/**
 * Short open questions about a scene with one- or few-word answers, in five templates taken
 * with equal probability:
 *
 * <ul>
 *   <li>"How many circles are there?" - "two" (zero to four, GenEval's number words)
 *   <li>"How many objects are there?" - "three"
 *   <li>"What is in row 2 column 3?" - "a red circle" or "nothing" (the slot is occupied three
 *       times in four, when the scene allows)
 *   <li>"Where is the red circle?" - "row 2 column 3" (only for a combination the scene holds once)
 *   <li>"Is there a blue square?" - "yes" or "no", evenly
 * </ul>
 *
 * Slots are named as in {@link WorldCaption}. Never names a combination {@code spec} holds out:
 * a "no" question asks about an absent training combination.
 */
public final class DirectQuestions {
  /** GenEval's number words, indexed by count. */
  static final List<String> NUMBERS = List.of("zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
      "nine", "ten");

  static final String NOTHING = "nothing";
  static final String YES = "yes";
  static final String NO = "no";

  private static final int TEMPLATES = 5;

  /** A question and its answer. */
  public record QuestionAnswer(String question, String answer) {}

  private final WorldSpec spec;

  public DirectQuestions(WorldSpec spec) {
    this.spec = Objects.requireNonNull(spec, "spec");
  }

  /** One question about {@code scene}, chosen with {@code random}. */
  public QuestionAnswer ask(Scene scene, SceneSampler random) {
    if (scene.objects().isEmpty()) {
      throw new IllegalArgumentException("Direct questions need a scene with at least one object");
    }
    return switch (random.nextInt(TEMPLATES)) {
      case 0 -> {
        ObjectClass shape = random.randomShape();
        yield new QuestionAnswer(countShape(shape), number((int) scene.count(shape)));
      }
      case 1 -> new QuestionAnswer(countObjects(), number(scene.objects().size()));
      case 2 -> whatIsIn(scene, random);
      case 3 -> where(scene, random);
      default -> isThere(scene, random);
    };
  }

  private QuestionAnswer whatIsIn(Scene scene, SceneSampler random) {
    boolean occupied = scene.objects().size() == spec.slots() || random.nextInt(4) > 0;
    if (occupied) {
      SceneObject object = scene.objects().get(random.nextInt(scene.objects().size()));
      return new QuestionAnswer(whatIsIn(object.slot()), withArticle(object.colorShape()));
    }
    List<Slot> taken = scene.objects().stream().map(SceneObject::slot).toList();
    Slot empty = random.freeSlots(1, taken).get(0);
    return new QuestionAnswer(whatIsIn(empty), NOTHING);
  }

  private QuestionAnswer where(Scene scene, SceneSampler random) {
    List<SceneObject> unique = scene.objects().stream()
        .filter(o -> scene.objects().stream().filter(x -> x.colorShape().equals(o.colorShape())).count() == 1)
        .toList();
    if (unique.isEmpty()) {
      return whatIsIn(scene, random);
    }
    SceneObject object = unique.get(random.nextInt(unique.size()));
    return new QuestionAnswer(where(object.colorShape()), WorldCaption.slot(object.slot()));
  }

  private QuestionAnswer isThere(Scene scene, SceneSampler random) {
    if (random.nextInt(2) == 0) {
      SceneObject object = scene.objects().get(random.nextInt(scene.objects().size()));
      return new QuestionAnswer(isThere(object.colorShape()), YES);
    }
    List<ColorShape> absent = new ArrayList<>();
    for (ObjectClass shape : spec.classes()) {
      for (WorldColor color : WorldColor.values()) {
        ColorShape candidate = new ColorShape(color, shape);
        if (spec.isTrainable(candidate)
            && scene.objects().stream().noneMatch(o -> o.colorShape().equals(candidate))) {
          absent.add(candidate);
        }
      }
    }
    return new QuestionAnswer(isThere(absent.get(random.nextInt(absent.size()))), NO);
  }

  /** Every question and answer the templates can produce in {@code spec}'s world, for a vocabulary. */
  public List<String> corpus() {
    List<String> texts = new ArrayList<>(List.of(countObjects(), NOTHING, YES, NO));
    texts.addAll(NUMBERS);
    for (ObjectClass shape : spec.classes()) {
      texts.add(countShape(shape));
      for (WorldColor color : WorldColor.values()) {
        ColorShape combination = new ColorShape(color, shape);
        if (spec.isTrainable(combination)) {
          texts.add(where(combination));
          texts.add(isThere(combination));
          texts.add(withArticle(combination));
        }
      }
    }
    for (int i = 0; i < spec.slots(); i++) {
      Slot slot = Slot.ofIndex(i, spec.grid());
      texts.add(whatIsIn(slot));
      texts.add(WorldCaption.slot(slot));
    }
    return texts;
  }

  private static String countShape(ObjectClass shape) {
    return "How many " + shape.plural() + " are there?";
  }

  private static String countObjects() {
    return "How many objects are there?";
  }

  private static String whatIsIn(Slot slot) {
    return "What is in " + WorldCaption.slot(slot) + "?";
  }

  private static String where(ColorShape combination) {
    return "Where is the " + combination + "?";
  }

  private static String isThere(ColorShape combination) {
    return "Is there " + withArticle(combination) + "?";
  }

  private static String withArticle(ColorShape combination) {
    return WorldCaption.withArticle(combination.toString());
  }

  private static String number(int count) {
    return NUMBERS.get(count);
  }
}
