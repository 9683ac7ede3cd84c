package org.aia4j.evaluation.mmbench;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;
import org.aia4j.evaluation.world.SceneAnalyser;
import org.aia4j.evaluation.world.SceneRenderer;
import org.aia4j.evaluation.world.WorldSpec;
import org.junit.jupiter.api.Test;

class MmbenchTrainingGeneratorTest {
  private static final WorldSpec SPEC = WorldSpec.standard();

  @Test
  void trainingQuestionsAreRightNeverShowNorNameAHeldOutCombinationAndComeWithTheirScene() throws IOException {
    MmbenchGenerator generator = MmbenchGenerator.trainingOnly(SPEC, 99);
    SceneAnalyser analyser = new SceneAnalyser(SPEC);
    SceneRenderer renderer = new SceneRenderer(SPEC);
    for (int i = 0; i < 350; i++) {
      MmbenchCategory category = MmbenchCategory.values()[i % MmbenchCategory.values().length];
      MmbenchGenerator.WithScene drawn = generator.generateWithScene(category, i);
      MmbenchQuestion q = drawn.question();
      BufferedImage image = q.decodeImage();
      assertThat(pixels(renderer.render(drawn.scene()))).isEqualTo(pixels(image));
      assertThat(drawn.scene().objects()).allMatch(o -> SPEC.isTrainable(o.colorShape()));
      String text = (q.prompt() + " " + String.join(" ", q.options().values())).toLowerCase();
      int n = i;
      SPEC.heldOut().forEach(h -> assertThat(text).as("question %d", n).doesNotContain(h.toString()));
      assertThat(q.options().get(q.answer())).as("question %d: %s", i, q.prompt())
          .isEqualTo(MmbenchGeneratorTest.Oracle.answer(q, analyser.analyse(image).objects(), 32));
    }
  }

  @Test
  void theEvaluationGeneratorIsUnchangedByTheTrainingMode() {
    List<MmbenchQuestion> a = new MmbenchGenerator(SPEC, 5).generate(30);
    List<MmbenchQuestion> b = new MmbenchGenerator(SPEC, 5).generate(30);
    assertThat(a).isEqualTo(b);
    assertThat(new MmbenchGenerator(SPEC, 5).generateWithScene(MmbenchCategory.EXISTENCE, 0).question())
        .isEqualTo(new MmbenchGenerator(SPEC, 5).generate(MmbenchCategory.EXISTENCE, 0));
  }

  private static int[] pixels(BufferedImage image) {
    return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
  }
}
