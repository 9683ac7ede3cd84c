package org.aia4j.evaluation.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.aia4j.evaluation.world.Scene;
import org.aia4j.evaluation.world.SceneObject;
import org.aia4j.evaluation.world.SceneSampler;
import org.aia4j.evaluation.world.Shape;
import org.aia4j.evaluation.world.Slot;
import org.aia4j.evaluation.world.WorldColor;
import org.aia4j.evaluation.world.WorldSpec;
import org.junit.jupiter.api.Test;

class WorldCaptionTest {
  private static final WorldSpec SPEC = WorldSpec.standard();

  @Test
  void namesEveryObjectsColourShapeAndSlotInRowMajorOrder() {
    Scene scene = Scene.of(
        new SceneObject(Shape.CROSS, WorldColor.WHITE, new Slot(3, 3)),
        new SceneObject(Shape.CIRCLE, WorldColor.RED, new Slot(0, 2)),
        new SceneObject(Shape.SQUARE, WorldColor.ORANGE, new Slot(1, 0)));
    assertThat(WorldCaption.of(scene)).isEqualTo(
        "a red circle in row 1 column 3, an orange square in row 2 column 1, a white cross in row 4 column 4");
  }

  @Test
  void parsesEveryCaptionBackToItsScene() {
    SceneSampler sampler = SceneSampler.allCombinations(SPEC, 5);
    for (int i = 0; i < 500; i++) {
      Scene scene = sampler.sample();
      assertThat(WorldCaption.parse(WorldCaption.of(scene), SPEC)).isEqualTo(scene);
    }
  }

  @Test
  void rejectsTextThatIsNotACanonicalCaption() {
    assertThatThrownBy(() -> WorldCaption.parse("a red circle at row 1 column 1", SPEC)).hasMessageContaining("not 'a");
    assertThatThrownBy(() -> WorldCaption.parse("a red circle in row 5 column 1", SPEC)).hasMessageContaining("off the");
    assertThatThrownBy(() -> WorldCaption.parse("a orange circle in row 1 column 1", SPEC))
        .hasMessageContaining("an orange circle");
    assertThatThrownBy(() -> WorldCaption.parse("a red circles in row 1 column 1", SPEC)).hasMessageContaining("canonical");
    assertThatThrownBy(() -> WorldCaption.parse("a red circle in row 2 column 1, a red square in row 1 column 1", SPEC))
        .hasMessageContaining("row-major");
    assertThatThrownBy(() -> WorldCaption.parse("a red circle in row 1 column 1, a red square in row 1 column 1", SPEC))
        .hasMessageContaining("share slot");
    assertThatThrownBy(() -> WorldCaption.parse("a teal circle in row 1 column 1", SPEC)).hasMessageContaining("teal");
    assertThatThrownBy(() -> WorldCaption.of(new Scene(java.util.List.of()))).hasMessageContaining("empty");
  }
}
