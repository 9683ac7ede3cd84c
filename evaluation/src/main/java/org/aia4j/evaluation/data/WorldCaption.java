package org.aia4j.evaluation.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.aia4j.evaluation.world.ObjectClass;
import org.aia4j.evaluation.world.Scene;
import org.aia4j.evaluation.world.SceneObject;
import org.aia4j.evaluation.world.Slot;
import org.aia4j.evaluation.world.WorldColor;
import org.aia4j.evaluation.world.WorldSpec;

/**
 * The world's dense, canonical caption: every object's colour, shape and slot, in row-major slot
 * order, joined by {@code ", "}. Slots are named {@code row R column C}, both counted from 1 at the
 * top left, so the row and the column are separate tokens the model can learn apart:
 *
 * <pre>
 * a red circle in row 1 column 3, an orange square in row 2 column 1, a white cross in row 4 column 4
 * </pre>
 *
 * Articles follow GenEval's rule ("an" before a vowel). One scene has exactly one caption, and
 * {@link #parse} reads it back, so a caption can be checked against the analyser's reading.
 */
public final class WorldCaption {
  /** The instructions an understanding sample asks for a caption with, the first being the canonical one. */
  public static final List<String> PROMPTS =
      List.of("Describe the image.", "What is in the image?", "List the objects in the image.");

  private static final Pattern OBJECT =
      Pattern.compile("an? ([a-z]+) ([a-z -]+?) in row ([0-9]+) column ([0-9]+)");

  private WorldCaption() {}

  /** The caption of {@code scene}, e.g. {@code a red circle in row 1 column 3, a blue square in row 4 column 4}. */
  public static String of(Scene scene) {
    if (scene.objects().isEmpty()) {
      throw new IllegalArgumentException("An empty scene has no caption");
    }
    return scene.objects().stream().map(WorldCaption::object).collect(Collectors.joining(", "));
  }

  /** One object's phrase, e.g. {@code an orange cross in row 2 column 4}. */
  public static String object(SceneObject object) {
    return withArticle(object.color().label()) + " " + object.shape().label() + " in " + slot(object.slot());
  }

  /** A slot's name, e.g. {@code row 2 column 4} for {@code Slot(1, 3)}. */
  public static String slot(Slot slot) {
    return "row " + (slot.row() + 1) + " column " + (slot.col() + 1);
  }

  /** GenEval's article rule: "an" before a vowel, else "a". */
  public static String withArticle(String noun) {
    return ("aeiou".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
  }

  /**
   * Reads a caption back into the scene it describes.
   *
   * @throws IllegalArgumentException if the text is not a caption of {@code spec}'s world: a
   *     phrase that does not parse, an unknown colour or shape, a slot off the grid, a wrong
   *     article, two objects in one slot, or objects out of row-major order
   */
  public static Scene parse(String caption, WorldSpec spec) {
    Objects.requireNonNull(caption, "caption");
    List<SceneObject> objects = new ArrayList<>();
    for (String phrase : caption.split(", ", -1)) {
      Matcher m = OBJECT.matcher(phrase);
      if (!m.matches()) {
        throw new IllegalArgumentException("'" + phrase + "' is not 'a <colour> <shape> in row <r> column <c>' "
            + "(in caption '" + caption + "')");
      }
      WorldColor color = WorldColor.parse(m.group(1));
      ObjectClass shape = spec.parseClass(m.group(2));
      if (!shape.label().equals(m.group(2)) || !phrase.startsWith(withArticle(color.label()) + " ")) {
        throw new IllegalArgumentException("'" + phrase + "' is not canonical; expected '"
            + withArticle(color.label()) + " " + shape.label() + " ...'");
      }
      int row = Integer.parseInt(m.group(3)) - 1;
      int col = Integer.parseInt(m.group(4)) - 1;
      if (row < 0 || col < 0 || row >= spec.grid() || col >= spec.grid()) {
        throw new IllegalArgumentException("'" + phrase + "' names a slot off the " + spec.grid() + "x" + spec.grid()
            + " grid (rows and columns count from 1)");
      }
      objects.add(new SceneObject(shape, color, new Slot(row, col)));
    }
    Scene scene = new Scene(objects);
    if (!scene.objects().equals(objects)) {
      throw new IllegalArgumentException("Objects are not in row-major slot order: '" + caption + "'");
    }
    return scene;
  }
}
