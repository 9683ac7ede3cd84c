package org.aia4j.evaluation.geneval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.aia4j.evaluation.world.ColorShape;
import org.aia4j.evaluation.world.Shape;
import org.aia4j.evaluation.world.WorldColor;
import org.aia4j.evaluation.world.WorldSpec;
import org.junit.jupiter.api.Test;

class GenEvalSuiteTest {

  @Test
  void perTagFillsEveryTagAndZeroIsTheDefaultSuite() {
    WorldSpec spec = WorldSpec.standard();
    assertThat(GenEvalSuite.generate(spec, 7, 0)).isEqualTo(GenEvalSuite.generate(spec, 7));
    List<GenEvalPrompt> suite = GenEvalSuite.generate(spec, 7, 40);
    Map<String, Long> perTag = suite.stream().collect(Collectors.groupingBy(GenEvalPrompt::tag, Collectors.counting()));
    assertThat(perTag).containsEntry("single_object", 40L).containsEntry("two_object", 40L)
        .containsEntry("counting", 40L).containsEntry("colors", 40L).containsEntry("position", 48L)
        .containsEntry("color_attr", 100L);
    // A short tag cycles its prompts in order: single_object's four shapes, ten times each.
    List<GenEvalPrompt> single = suite.stream().filter(p -> p.tag().equals("single_object")).toList();
    assertThat(single.subList(4, 8)).isEqualTo(single.subList(0, 4));
    assertThat(single.stream().distinct().count()).isEqualTo(4);
    // color_attr grows with distinct combinations first; its first 100 are the default suite's.
    List<GenEvalPrompt> wide = GenEvalSuite.generate(spec, 7, 150).stream()
        .filter(p -> p.tag().equals("color_attr")).toList();
    assertThat(wide).hasSize(150).doesNotHaveDuplicates();
    assertThat(wide.subList(0, 100)).isEqualTo(suite.stream().filter(p -> p.tag().equals("color_attr")).toList());
    assertThat(GenEvalSuite.generate(spec, 7, 40)).as("same seed, same suite").isEqualTo(suite);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> GenEvalSuite.generate(spec, 7, -1))
        .hasMessageContaining("perTag must be >= 0");
  }

  @Test
  void defaultSuiteHasTheDocumentedSizePerTagAndDistinctPrompts() {
    List<GenEvalPrompt> suite = GenEvalSuite.defaultSuite();

    Map<String, Long> perTag = suite.stream()
        .collect(Collectors.groupingBy(GenEvalPrompt::tag, java.util.LinkedHashMap::new, Collectors.counting()));
    assertThat(perTag).containsExactly(
        Map.entry("single_object", 4L), Map.entry("two_object", 12L), Map.entry("counting", 12L),
        Map.entry("colors", 40L), Map.entry("position", 48L), Map.entry("color_attr", 100L));
    assertThat(suite).extracting(GenEvalPrompt::prompt).doesNotHaveDuplicates();
    assertThat(suite).extracting(GenEvalPrompt::toMetadataLine).doesNotHaveDuplicates();
  }

  @Test
  void sameSeedSameSuiteOtherSeedOtherSample() {
    WorldSpec spec = WorldSpec.standard();
    assertThat(GenEvalSuite.generate(spec, 7)).isEqualTo(GenEvalSuite.generate(spec, 7));
    assertThat(GenEvalSuite.generate(spec, 7)).isNotEqualTo(GenEvalSuite.generate(spec, 8));
    assertThat(GenEvalSuite.defaultSuite()).isEqualTo(GenEvalSuite.generate(spec, GenEvalSuite.DEFAULT_SEED));
  }

  @Test
  void heldOutCombinationsAreAskedForInColorsAndInBothSlotsOfColorAttr() {
    List<GenEvalPrompt> suite = GenEvalSuite.defaultSuite();
    for (ColorShape held : WorldSpec.DEFAULT_HELD_OUT) {
      Function<GenEvalClause, Boolean> isHeld = c -> c.worldClass(WorldSpec.standard()).orElse(null) == held.shape() && c.color() == held.color();
      assertThat(suite).as("colors: %s", held)
          .anyMatch(p -> p.tag().equals("colors") && isHeld.apply(p.include().get(0)));
      assertThat(suite).as("color_attr first: %s", held)
          .anyMatch(p -> p.tag().equals("color_attr") && isHeld.apply(p.include().get(0)));
      assertThat(suite).as("color_attr second: %s", held)
          .anyMatch(p -> p.tag().equals("color_attr") && isHeld.apply(p.include().get(1)));
    }
  }

  @Test
  void templatesReadAsGenEvals() {
    assertThat(GenEvalSuite.singleObject(Shape.CIRCLE).prompt()).isEqualTo("a photo of a circle");
    assertThat(GenEvalSuite.twoObject(Shape.CIRCLE, Shape.SQUARE).prompt()).isEqualTo("a photo of a circle and a square");
    assertThat(GenEvalSuite.counting(Shape.CROSS, 3).prompt()).isEqualTo("a photo of three crosses");
    assertThat(GenEvalSuite.colors(Shape.CIRCLE, WorldColor.ORANGE).prompt()).isEqualTo("a photo of an orange circle");
    assertThat(GenEvalSuite.colorAttr(Shape.CIRCLE, WorldColor.RED, Shape.SQUARE, WorldColor.BLUE).prompt())
        .isEqualTo("a photo of a red circle and a blue square");
    // GenEval's position layout: the target first, the positioned object second pointing at group 0.
    assertThat(GenEvalSuite.position(Shape.CIRCLE, SpatialRelation.RIGHT_OF, Shape.TRIANGLE).toMetadataLine())
        .isEqualTo("{\"tag\": \"position\", \"include\": [{\"class\": \"triangle\", \"count\": 1}, {\"class\": "
            + "\"circle\", \"count\": 1, \"position\": [\"right of\", 0]}], \"prompt\": \"a photo of a circle "
            + "right of a triangle\"}");
  }
}
