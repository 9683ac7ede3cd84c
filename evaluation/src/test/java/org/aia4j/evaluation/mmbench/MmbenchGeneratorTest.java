package org.aia4j.evaluation.mmbench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.aia4j.evaluation.world.Analysis;
import org.aia4j.evaluation.world.ColorShape;
import org.aia4j.evaluation.world.DetectedObject;
import org.aia4j.evaluation.world.SceneAnalyser;
import org.aia4j.evaluation.world.Shape;
import org.aia4j.evaluation.world.WorldColor;
import org.aia4j.evaluation.world.WorldSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MmbenchGeneratorTest {
  private static List<MmbenchQuestion> suite;

  @BeforeAll
  static void generateTheDefaultSuite() {
    suite = MmbenchSuite.questions(WorldSpec.standard(), MmbenchSuite.DEFAULT_SEED, MmbenchSuite.DEFAULT_QUESTIONS);
  }

  @Test
  void everyRightOptionIsWhatTheAnalyserReadsInTheImage() throws IOException {
    SceneAnalyser analyser = new SceneAnalyser(WorldSpec.standard());
    for (MmbenchQuestion q : suite) {
      Analysis analysis = analyser.analyse(q.decodeImage());
      assertThat(analysis.rejected()).as("question %d", q.index()).isEmpty();
      assertThat(q.options().get(q.answer())).as("question %d: %s", q.index(), q.prompt())
          .isEqualTo(Oracle.answer(q, analysis.objects(), 32));
    }
  }

  @Test
  void coversEveryCategoryEvenlyWithTwoToFourDistinctOptionsAndOneAnswer() {
    Map<String, Long> perCategory = suite.stream()
        .collect(Collectors.groupingBy(MmbenchQuestion::category, Collectors.counting()));
    assertThat(perCategory).hasSize(7).allSatisfy((category, count) -> assertThat(count).isEqualTo(50L));
    assertThat(suite).allSatisfy(q -> {
      assertThat(q.options()).hasSizeBetween(2, 4);
      assertThat(q.options().values()).doesNotHaveDuplicates();
      assertThat(q.options()).containsKey(q.answer());
      assertThat(CircularEval.rotations(q)).as("not abnormal").isEqualTo(q.options().size());
      // Unambiguous for text matching: no option text contains another.
      for (String a : q.options().values()) {
        for (String b : q.options().values()) {
          assertThat(a.equals(b) || !a.contains(b)).as("%s contains %s", a, b).isTrue();
        }
      }
    });
    assertThat(suite).extracting(q -> q.options().size()).contains(2, 3, 4);
    assertThat(suite).extracting(MmbenchQuestion::index).containsExactlyElementsOf(
        java.util.stream.LongStream.range(0, MmbenchSuite.DEFAULT_QUESTIONS).boxed().toList());
  }

  @Test
  void balancesTheRightLetterWithinEachOptionCount() {
    Map<Integer, Map<String, Long>> letters = new HashMap<>();
    for (MmbenchQuestion q : suite) {
      letters.computeIfAbsent(q.options().size(), n -> new HashMap<>()).merge(q.answer(), 1L, Long::sum);
    }
    letters.forEach((n, counts) -> {
      assertThat(counts).as("%d-option questions", n).hasSize(n);
      long min = counts.values().stream().mapToLong(Long::longValue).min().orElseThrow();
      long max = counts.values().stream().mapToLong(Long::longValue).max().orElseThrow();
      assertThat(max - min).as("%d-option questions: %s", n, counts).isLessThanOrEqualTo(1);
    });
  }

  @Test
  void showsHeldOutCombinations() throws IOException {
    SceneAnalyser analyser = new SceneAnalyser(WorldSpec.standard());
    long withHeldOut = 0;
    for (MmbenchQuestion q : suite) {
      if (analyser.analyse(q.decodeImage()).objects().stream()
          .anyMatch(o -> WorldSpec.DEFAULT_HELD_OUT.contains(new ColorShape(o.color(), o.shape())))) {
        withHeldOut++;
      }
    }
    assertThat(withHeldOut).isGreaterThan(20);
  }

  @Test
  void isDeterministicInItsSeed() {
    assertThat(MmbenchSuite.questions(WorldSpec.standard(), MmbenchSuite.DEFAULT_SEED, 30))
        .containsExactlyElementsOf(suite.subList(0, 30));
    assertThat(MmbenchSuite.questions(WorldSpec.standard(), MmbenchSuite.DEFAULT_SEED + 1, 30))
        .isNotEqualTo(suite.subList(0, 30));
  }

  @Test
  void worksAtSixtyFourPixels() throws IOException {
    WorldSpec spec = WorldSpec.ofSize(64);
    SceneAnalyser analyser = new SceneAnalyser(spec);
    for (MmbenchQuestion q : MmbenchSuite.questions(spec, 3, 21)) {
      assertThat(q.decodeImage().getWidth()).isEqualTo(64);
      assertThat(q.options().get(q.answer())).isEqualTo(Oracle.answer(q, analyser.analyse(q.decodeImage()).objects(), 64));
    }
  }

  /**
   * Answers a question from what the analyser detected, reading only the question text and the
   * options: independent of how the generator chose the answer.
   */
  static final class Oracle {
    private static final String OBJ = "(\\w+) (\\w+)";

    static String answer(MmbenchQuestion q, List<DetectedObject> objects, int imageSize) {
      String text = q.question();
      double half = imageSize / 2.0;
      Matcher m;
      if ((m = match("Is there an? " + OBJ + " in the image\\?", text)) != null) {
        return objects.stream().anyMatch(is(m.group(1), m.group(2))) ? "yes" : "no";
      }
      if (text.equals("Which of the following objects appears in the image?")) {
        List<String> present = q.options().values().stream()
            .filter(option -> objects.stream().anyMatch(is(option.split(" ")[0], option.split(" ")[1]))).toList();
        assertThat(present).as("options present in %d", q.index()).hasSize(1);
        return present.get(0);
      }
      if ((m = match("How many (\\w+) are there in the image\\?", text)) != null) {
        Shape shape = Shape.parse(m.group(1));
        return Long.toString(objects.stream().filter(o -> o.shape() == shape).count());
      }
      if ((m = match("What color is the (\\w+) in the image\\?", text)) != null) {
        Shape shape = Shape.parse(m.group(1));
        return only(objects, o -> o.shape() == shape).color().label();
      }
      if ((m = match("What shape is the (\\w+) object in the image\\?", text)) != null) {
        WorldColor color = WorldColor.parse(m.group(1));
        return only(objects, o -> o.color() == color).shape().label();
      }
      if ((m = match("In which part of the image is the " + OBJ + "\\?", text)) != null) {
        DetectedObject o = only(objects, is(m.group(1), m.group(2)));
        return (o.box().centerY() < half ? "top" : "bottom") + " " + (o.box().centerX() < half ? "left" : "right");
      }
      if ((m = match("Is the " + OBJ + " in the (left|top) half or the (right|bottom) half of the image\\?", text))
          != null) {
        DetectedObject o = only(objects, is(m.group(1), m.group(2)));
        double centre = m.group(3).equals("left") ? o.box().centerX() : o.box().centerY();
        return centre < half ? m.group(3) + " half" : m.group(4) + " half";
      }
      if ((m = match("Where is the " + OBJ + " relative to the " + OBJ + "\\?", text)) != null) {
        DetectedObject a = only(objects, is(m.group(1), m.group(2)));
        DetectedObject b = only(objects, is(m.group(3), m.group(4)));
        double dx = a.box().centerX() - b.box().centerX();
        double dy = a.box().centerY() - b.box().centerY();
        assertThat(dx == 0 || dy == 0).as("same row or column in %d", q.index()).isTrue();
        return dy == 0 ? (dx < 0 ? "to the left" : "to the right") : (dy < 0 ? "above" : "below");
      }
      if ((m = match("Is the " + OBJ + " to the left or to the right of the " + OBJ + "\\?", text)) != null) {
        double dx = only(objects, is(m.group(1), m.group(2))).box().centerX()
            - only(objects, is(m.group(3), m.group(4))).box().centerX();
        assertThat(dx).isNotZero();
        return dx < 0 ? "to the left" : "to the right";
      }
      if ((m = match("Is the " + OBJ + " above or below the " + OBJ + "\\?", text)) != null) {
        double dy = only(objects, is(m.group(1), m.group(2))).box().centerY()
            - only(objects, is(m.group(3), m.group(4))).box().centerY();
        assertThat(dy).isNotZero();
        return dy < 0 ? "above" : "below";
      }
      if ((m = match("Are there more (\\w+) or more (\\w+) in the image\\?", text)) != null) {
        Shape one = Shape.parse(m.group(1));
        Shape two = Shape.parse(m.group(2));
        long first = objects.stream().filter(o -> o.shape() == one).count();
        long second = objects.stream().filter(o -> o.shape() == two).count();
        return first > second ? "more " + m.group(1) : first < second ? "more " + m.group(2) : "the same number of each";
      }
      if ((m = match("Do the (\\w+) and the (\\w+) have the same color\\?", text)) != null) {
        Shape one = Shape.parse(m.group(1));
        Shape two = Shape.parse(m.group(2));
        WorldColor a = only(objects, o -> o.shape() == one).color();
        WorldColor b = only(objects, o -> o.shape() == two).color();
        return a == b ? "yes" : "no";
      }
      throw new AssertionError("The oracle does not know question " + q.index() + ": " + text);
    }

    private static Matcher match(String regex, String text) {
      Matcher m = Pattern.compile(regex).matcher(text);
      return m.matches() ? m : null;
    }

    private static Predicate<DetectedObject> is(String color, String shape) {
      return o -> o.color() == WorldColor.parse(color) && o.shape() == Shape.parse(shape);
    }

    private static DetectedObject only(List<DetectedObject> objects, Predicate<DetectedObject> which) {
      List<DetectedObject> matching = objects.stream().filter(which).toList();
      assertThat(matching).as("the object a question names is unique").hasSize(1);
      return matching.get(0);
    }
  }
}
