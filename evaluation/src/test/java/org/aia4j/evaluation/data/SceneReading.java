package org.aia4j.evaluation.data;

import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.aia4j.evaluation.world.Analysis;
import org.aia4j.evaluation.world.Scene;
import org.aia4j.evaluation.world.SceneAnalyser;
import org.aia4j.evaluation.world.SceneObject;
import org.aia4j.evaluation.world.Shape;
import org.aia4j.evaluation.world.WorldColor;
import org.aia4j.evaluation.world.WorldSpec;

/**
 * Answers the training questions from what the analyser reads in an image, independently of the
 * code that wrote them: the tests' ground truth.
 */
final class SceneReading {
  private static final String OBJ = "an? (\\w+) (\\w+)";
  private static final String THE = "the (\\w+) (\\w+)";
  private static final Pattern OPTION = Pattern.compile("([A-Z])\\. (.*)");

  private final List<SceneObject> objects;
  private final int grid;

  private SceneReading(List<SceneObject> objects, int grid) {
    this.objects = objects;
    this.grid = grid;
  }

  /** Reads {@code image}; fails if the analyser rejects any blob. */
  static SceneReading of(BufferedImage image, SceneAnalyser analyser) {
    Analysis analysis = analyser.analyse(image);
    if (!analysis.rejected().isEmpty() || analysis.unknownPixels() > 0) {
      throw new AssertionError("Malformed image: " + analysis.rejected());
    }
    WorldSpec spec = analyser.spec();
    return new SceneReading(analysis.objects().stream()
        .map(o -> new SceneObject(o.shape(), o.color(), o.slot())).toList(), spec.grid());
  }

  Scene scene() {
    return new Scene(objects);
  }

  /** The option letter an MMBench-format prompt's right answer stands under. */
  String multipleChoiceLetter(String prompt) {
    String[] lines = prompt.split("\n");
    if (!lines[0].startsWith("Question: ") || !lines[1].equals("Options:")) {
      throw new AssertionError("Not an MMBench prompt: " + prompt);
    }
    String question = lines[0].substring("Question: ".length());
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 2; i < lines.length; i++) {
      Matcher m = OPTION.matcher(lines[i]);
      if (m.matches()) {
        options.put(m.group(1), m.group(2));
      }
    }
    String right = multipleChoice(question, options);
    List<String> letters = options.entrySet().stream().filter(e -> e.getValue().equals(right))
        .map(Map.Entry::getKey).toList();
    if (letters.size() != 1) {
      throw new AssertionError("Right answer '" + right + "' is not exactly one option of " + prompt);
    }
    return letters.get(0);
  }

  private String multipleChoice(String q, Map<String, String> options) {
    Matcher m;
    if ((m = match("Is there " + OBJ + " in the image\\?", q)) != null) {
      return yesNo(has(m.group(1), m.group(2)));
    }
    if (q.equals("Which of the following objects appears in the image?")) {
      List<String> present = options.values().stream()
          .filter(o -> has(o.split(" ")[0], o.split(" ")[1])).toList();
      return present.size() == 1 ? present.get(0) : "ambiguous " + present;
    }
    if ((m = match("How many (\\w+) are there in the image\\?", q)) != null) {
      return Long.toString(count(Shape.parse(m.group(1))));
    }
    if ((m = match("What color is the (\\w+) in the image\\?", q)) != null) {
      Shape shape = Shape.parse(m.group(1));
      return only(o -> o.shape() == shape).color().label();
    }
    if ((m = match("What shape is the (\\w+) object in the image\\?", q)) != null) {
      WorldColor color = WorldColor.parse(m.group(1));
      return only(o -> o.color() == color).shape().label();
    }
    if ((m = match("In which part of the image is " + THE + "\\?", q)) != null) {
      SceneObject o = only(is(m.group(1), m.group(2)));
      return (top(o) ? "top" : "bottom") + " " + (left(o) ? "left" : "right");
    }
    if ((m = match("Is " + THE + " in the (left|top) half or the (right|bottom) half of the image\\?", q)) != null) {
      SceneObject o = only(is(m.group(1), m.group(2)));
      boolean first = m.group(3).equals("left") ? left(o) : top(o);
      return (first ? m.group(3) : m.group(4)) + " half";
    }
    if ((m = match("Where is " + THE + " relative to " + THE + "\\?", q)) != null) {
      SceneObject a = only(is(m.group(1), m.group(2)));
      SceneObject b = only(is(m.group(3), m.group(4)));
      int dr = a.slot().row() - b.slot().row();
      int dc = a.slot().col() - b.slot().col();
      if (dr != 0 && dc != 0) {
        return "ambiguous diagonal";
      }
      return dr == 0 ? (dc < 0 ? "to the left" : "to the right") : (dr < 0 ? "above" : "below");
    }
    if ((m = match("Is " + THE + " to the left or to the right of " + THE + "\\?", q)) != null) {
      int dc = only(is(m.group(1), m.group(2))).slot().col() - only(is(m.group(3), m.group(4))).slot().col();
      return dc == 0 ? "ambiguous" : dc < 0 ? "to the left" : "to the right";
    }
    if ((m = match("Is " + THE + " above or below " + THE + "\\?", q)) != null) {
      int dr = only(is(m.group(1), m.group(2))).slot().row() - only(is(m.group(3), m.group(4))).slot().row();
      return dr == 0 ? "ambiguous" : dr < 0 ? "above" : "below";
    }
    if ((m = match("Are there more (\\w+) or more (\\w+) in the image\\?", q)) != null) {
      long a = count(Shape.parse(m.group(1)));
      long b = count(Shape.parse(m.group(2)));
      return a > b ? "more " + m.group(1) : a < b ? "more " + m.group(2) : "the same number of each";
    }
    if ((m = match("Do the (\\w+) and the (\\w+) have the same color\\?", q)) != null) {
      Shape a = Shape.parse(m.group(1));
      Shape b = Shape.parse(m.group(2));
      return yesNo(only(o -> o.shape() == a).color() == only(o -> o.shape() == b).color());
    }
    throw new AssertionError("Unknown MMBench question: " + q);
  }

  /** The answer to a direct question. */
  String direct(String q) {
    Matcher m;
    if (q.equals("How many objects are there?")) {
      return DirectQuestions.NUMBERS.get(objects.size());
    }
    if ((m = match("How many (\\w+) are there\\?", q)) != null) {
      return DirectQuestions.NUMBERS.get((int) count(Shape.parse(m.group(1))));
    }
    if ((m = match("What is in row (\\d) column (\\d)\\?", q)) != null) {
      int row = Integer.parseInt(m.group(1)) - 1;
      int col = Integer.parseInt(m.group(2)) - 1;
      return objects.stream().filter(o -> o.slot().row() == row && o.slot().col() == col)
          .map(o -> WorldCaption.withArticle(o.color().label()) + " " + o.shape().label()).findFirst()
          .orElse("nothing");
    }
    if ((m = match("Where is " + THE + "\\?", q)) != null) {
      SceneObject o = only(is(m.group(1), m.group(2)));
      return "row " + (o.slot().row() + 1) + " column " + (o.slot().col() + 1);
    }
    if ((m = match("Is there " + OBJ + "\\?", q)) != null) {
      return yesNo(has(m.group(1), m.group(2)));
    }
    throw new AssertionError("Unknown direct question: " + q);
  }

  private boolean top(SceneObject o) {
    return 2 * o.slot().row() + 1 < grid;
  }

  private boolean left(SceneObject o) {
    return 2 * o.slot().col() + 1 < grid;
  }

  private long count(Shape shape) {
    return objects.stream().filter(o -> o.shape() == shape).count();
  }

  private boolean has(String color, String shape) {
    return objects.stream().anyMatch(is(color, shape));
  }

  private SceneObject only(Predicate<SceneObject> filter) {
    List<SceneObject> found = objects.stream().filter(filter).toList();
    if (found.size() != 1) {
      throw new AssertionError("Expected exactly one object, found " + found + " in " + objects);
    }
    return found.get(0);
  }

  private static Predicate<SceneObject> is(String color, String shape) {
    WorldColor c = WorldColor.parse(color);
    Shape s = Shape.parse(shape);
    return o -> o.color() == c && o.shape() == s;
  }

  private static String yesNo(boolean b) {
    return b ? "yes" : "no";
  }

  private static Matcher match(String regex, String text) {
    Matcher m = Pattern.compile(regex).matcher(text);
    return m.matches() ? m : null;
  }
}
