package org.aia4j.evaluation.geneval;

import static org.aia4j.evaluation.geneval.SpatialRelation.ABOVE;
import static org.aia4j.evaluation.geneval.SpatialRelation.BELOW;
import static org.aia4j.evaluation.geneval.SpatialRelation.LEFT_OF;
import static org.aia4j.evaluation.geneval.SpatialRelation.RIGHT_OF;
import static org.aia4j.evaluation.world.Shape.CIRCLE;
import static org.aia4j.evaluation.world.Shape.CROSS;
import static org.aia4j.evaluation.world.Shape.SQUARE;
import static org.aia4j.evaluation.world.Shape.TRIANGLE;
import static org.aia4j.evaluation.world.WorldColor.BLUE;
import static org.aia4j.evaluation.world.WorldColor.GREEN;
import static org.aia4j.evaluation.world.WorldColor.RED;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import org.aia4j.evaluation.world.Scene;
import org.aia4j.evaluation.world.SceneObject;
import org.aia4j.evaluation.world.SceneRenderer;
import org.aia4j.evaluation.world.Shape;
import org.aia4j.evaluation.world.ShapesWorld;
import org.aia4j.evaluation.world.Slot;
import org.aia4j.evaluation.world.WorldColor;
import org.aia4j.evaluation.world.WorldSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Each of GenEval's rules on hand-built 32x32 images. */
class GenEvalRulesTest {
  private final SceneRenderer renderer = new SceneRenderer(WorldSpec.standard());
  private final GenEvalScorer scorer = new GenEvalScorer(ShapesWorld.standard());

  @Test
  void countingIsExactThroughTheExcludeClause() {
    GenEvalPrompt three = GenEvalSuite.counting(SQUARE, 3);

    assertThat(score(three, obj(SQUARE, RED, 0, 0), obj(SQUARE, BLUE, 1, 1), obj(SQUARE, GREEN, 2, 2)).correct())
        .isTrue();
    assertThat(score(three, obj(SQUARE, RED, 0, 0), obj(SQUARE, BLUE, 1, 1)).reason())
        .isEqualTo("expected square>=3, found 2");
    assertThat(score(three, obj(SQUARE, RED, 0, 0), obj(SQUARE, BLUE, 1, 1), obj(SQUARE, GREEN, 2, 2),
        obj(SQUARE, RED, 3, 3)).reason())
        .isEqualTo("expected square<4, found 4");
    // Other classes do not count.
    assertThat(score(three, obj(SQUARE, RED, 0, 0), obj(SQUARE, BLUE, 1, 1), obj(SQUARE, GREEN, 2, 2),
        obj(CIRCLE, RED, 3, 3)).correct()).isTrue();
  }

  @Test
  void excludeClausesAreOredOverAllDetections() {
    GenEvalPrompt prompt = new GenEvalPrompt("custom", java.util.List.of(GenEvalClause.of(CIRCLE, 1)),
        java.util.List.of(GenEvalClause.of(SQUARE, 1), GenEvalClause.of(CROSS, 2)), "a circle, no square, < 2 crosses");

    assertThat(score(prompt, obj(CIRCLE, RED, 0, 0), obj(CROSS, RED, 1, 1)).correct()).isTrue();
    assertThat(score(prompt, obj(CIRCLE, RED, 0, 0), obj(SQUARE, RED, 1, 1)).reason())
        .isEqualTo("expected square<1, found 1");
    assertThat(score(prompt, obj(CROSS, RED, 0, 0), obj(CROSS, RED, 1, 1)).reason())
        .isEqualTo("expected circle>=1, found 0\nexpected cross<2, found 2");
  }

  @Test
  void colourIsCheckedOnTheFoundObjectsOnly() {
    GenEvalPrompt red = GenEvalSuite.colors(CIRCLE, RED);

    assertThat(score(red, obj(CIRCLE, RED, 2, 1)).correct()).isTrue();
    assertThat(score(red, obj(CIRCLE, BLUE, 2, 1)).reason()).isEqualTo("expected red circle>=1, found 0 red; and 1 blue");
    // Equal scores: the first in row-major slot order is the one found, as GenEval's top detection.
    assertThat(score(red, obj(CIRCLE, BLUE, 0, 0), obj(CIRCLE, RED, 3, 3)).correct()).isFalse();
    assertThat(score(red, obj(CIRCLE, RED, 0, 0), obj(CIRCLE, BLUE, 3, 3)).correct()).isTrue();
  }

  @Test
  void colourAttributionNeedsEachColourOnItsOwnClass() {
    GenEvalPrompt prompt = GenEvalSuite.colorAttr(CIRCLE, RED, SQUARE, BLUE);

    assertThat(score(prompt, obj(CIRCLE, RED, 0, 0), obj(SQUARE, BLUE, 0, 1)).correct()).isTrue();
    assertThat(score(prompt, obj(CIRCLE, BLUE, 0, 0), obj(SQUARE, RED, 0, 1)).reason())
        .isEqualTo("expected red circle>=1, found 0 red; and 1 blue\nexpected blue square>=1, found 0 blue; and 1 red");
  }

  @ParameterizedTest
  @CsvSource({"LEFT_OF, 1, 0, 1, 2", "RIGHT_OF, 1, 2, 1, 0", "ABOVE, 0, 1, 2, 1", "BELOW, 2, 1, 0, 1"})
  void eachPositionRelation(SpatialRelation relation, int row, int col, int oppositeRow, int oppositeCol) {
    GenEvalPrompt prompt = GenEvalSuite.position(CIRCLE, relation, SQUARE);
    SceneObject target = obj(SQUARE, BLUE, 1, 1);

    assertThat(score(prompt, target, obj(CIRCLE, RED, row, col)).correct()).isTrue();
    GenEvalResult wrong = score(prompt, target, obj(CIRCLE, RED, oppositeRow, oppositeCol));
    assertThat(wrong.correct()).isFalse();
    assertThat(wrong.reason()).startsWith("expected circle " + relation.label() + " target, found ");
  }

  @Test
  void diagonalNeighboursStandInBothRelations() {
    // Offset (8, 8) px, boxes 6 px: revised (8 - 1.2) / 11.31 = 0.60 > 0.5 on both axes.
    SceneObject target = obj(SQUARE, BLUE, 1, 1);
    SceneObject circle = obj(CIRCLE, RED, 0, 0);
    assertThat(score(GenEvalSuite.position(CIRCLE, LEFT_OF, SQUARE), target, circle).correct()).isTrue();
    assertThat(score(GenEvalSuite.position(CIRCLE, ABOVE, SQUARE), target, circle).correct()).isTrue();
    assertThat(score(GenEvalSuite.position(CIRCLE, BELOW, SQUARE), target, circle).reason())
        .isEqualTo("expected circle below target, found left of and above target");
  }

  @Test
  void positionThresholdEdge() {
    double[] target = {0, 0, 5, 5};
    // Centre offset (6, 8), length 10; widths 5 + 5 shrink dx by 1.0 to 5: 5 / 10 = 0.5 is not > 0.5.
    assertThat(GenEvalRules.relativePosition(new double[] {6, 8, 11, 13}, target)).containsExactly(BELOW);
    // Same centres, a box 1 px narrower: dx shrinks by only 0.9, 5.1 / 10 = 0.51.
    assertThat(GenEvalRules.relativePosition(new double[] {6.5, 8, 10.5, 13}, target))
        .containsExactlyInAnyOrder(RIGHT_OF, BELOW);
    // Without the threshold 6 / 10 = 0.6 would count; with wide boxes (2 * 10) it shrinks to 4 / 10.
    assertThat(GenEvalRules.relativePosition(new double[] {3.5, 8, 13.5, 13}, new double[] {-2.5, 0, 7.5, 5}))
        .containsExactly(BELOW);
    // Overlapping centres: no relation at all.
    assertThat(GenEvalRules.relativePosition(new double[] {1, 1, 4, 4}, target)).isEmpty();
  }

  @Test
  void missingTargetGroupFailsThePositionedClause() {
    GenEvalPrompt prompt = GenEvalSuite.position(CIRCLE, LEFT_OF, SQUARE);

    assertThat(score(prompt, obj(CIRCLE, RED, 1, 0)).reason())
        .isEqualTo("expected square>=1, found 0\nno target for circle to be left of");
    // A target group failing its colour is missing too.
    GenEvalPrompt coloured = new GenEvalPrompt("position", java.util.List.of(GenEvalClause.of(SQUARE, 1).withColor(BLUE),
        GenEvalClause.of(CIRCLE, 1).withPosition(LEFT_OF, 0)), java.util.List.of(), "a circle left of a blue square");
    assertThat(score(coloured, obj(SQUARE, GREEN, 1, 1), obj(CIRCLE, RED, 1, 0)).reason())
        .endsWith("\nno target for circle to be left of");
  }

  @ParameterizedTest
  @EnumSource(Shape.class)
  void singleObjectAndTwoObject(Shape shape) {
    Shape other = shape == TRIANGLE ? CROSS : TRIANGLE;
    assertThat(score(GenEvalSuite.singleObject(shape), obj(shape, RED, 3, 0)).correct()).isTrue();
    assertThat(score(GenEvalSuite.singleObject(shape), obj(other, RED, 3, 0)).reason())
        .isEqualTo("expected " + shape.label() + ">=1, found 0");
    assertThat(score(GenEvalSuite.twoObject(shape, other), obj(shape, RED, 0, 0), obj(other, BLUE, 3, 3)).correct())
        .isTrue();
    assertThat(score(GenEvalSuite.twoObject(shape, other), obj(shape, RED, 0, 0), obj(shape, BLUE, 3, 3)).reason())
        .isEqualTo("expected " + other.label() + ">=1, found 0");
  }

  @Test
  void aHalfDrawnObjectIsNoObjectAndIsReported() {
    BufferedImage image = renderer.render(Scene.of(obj(CIRCLE, RED, 0, 0)));
    Graphics2D g = image.createGraphics();
    g.setColor(new Color(WorldColor.BLUE.rgb()));
    g.fillRect(9, 1, 6, 3); // the top half of a square in slot (0, 1)
    g.dispose();

    GenEvalResult result = scorer.scoreImage(GenEvalSuite.twoObject(CIRCLE, SQUARE), image, "half.png");
    assertThat(result.reason()).isEqualTo("expected square>=1, found 0");
    assertThat(result.details()).isEqualTo("{\"circle\": [[1.0, 1.0, 7.0, 7.0, 1.0]]}");
    assertThat(result.rejected()).contains("\"color\": \"blue\"").contains("\"box\": [9.0, 1.0, 15.0, 4.0]");
  }

  private GenEvalResult score(GenEvalPrompt prompt, SceneObject... objects) {
    return scorer.scoreImage(prompt, renderer.render(Scene.of(objects)), "test.png");
  }

  private static SceneObject obj(Shape shape, WorldColor color, int row, int col) {
    return new SceneObject(shape, color, new Slot(row, col));
  }
}
