package org.aia4j.djl.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.aia4j.api.benchmark.ProgressListener;
import org.aia4j.evaluation.fashion.CellJudge.Verdict;
import org.aia4j.evaluation.fashion.FashionClass;
import org.aia4j.evaluation.fashion.FashionItems;
import org.aia4j.evaluation.fashion.FashionMnist;
import org.aia4j.evaluation.fashion.FashionPlacement;
import org.aia4j.evaluation.fashion.FashionScene;
import org.aia4j.evaluation.fashion.FashionSceneRenderer;
import org.aia4j.evaluation.fashion.FashionWorldSpec;
import org.aia4j.evaluation.world.Slot;
import org.aia4j.evaluation.world.WorldColor;
import org.aia4j.testkit.DebianDatasets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionJudgeTest {
  /** The floor the world's scores rely on; the card records what was reached. */
  static final double ACCURACY_FLOOR = 0.97;

  @TempDir
  Path tmp;

  static Path dataset() {
    return DebianDatasets.fashionMnist();
  }

  @Test
  void theStandardJudgeReadsTestCellsAboveItsFloorAndIsCachedWithItsCard() throws Exception {
    Path dataset = dataset();
    FashionWorldSpec spec = FashionWorldSpec.standard();
    Path cache = tmp.resolve("judge");
    JudgeCard card;
    try (FashionJudge judge = FashionJudge.trainOrLoad(cache, spec, dataset, JudgeSettings.standard(),
        ProgressListener.none())) {
      card = judge.card();
      assertThat(card.testAccuracy()).isGreaterThan(ACCURACY_FLOOR);
      assertThat(card.labels()).hasSize(spec.classes().size() + 1).endsWith("empty");
      // Every test item of the world's classes was judged, and as many empty cells as a class has.
      int cells = 0;
      for (int[] row : card.confusion()) {
        for (int count : row) {
          cells += count;
        }
      }
      assertThat(cells).isEqualTo(6 * 1000);
      assertThat(card.recall(spec.classes().size())).as("empty cells").isGreaterThan(0.99);
      assertThat(judge.description()).contains("test accuracy");

      // A real scene's cells, read back: two items and two empty cells.
      FashionItems test = FashionMnist.read(dataset, FashionMnist.Split.TEST);
      int bag = firstOf(test, FashionClass.BAG);
      int trouser = firstOf(test, FashionClass.TROUSER);
      BufferedImage image = new FashionSceneRenderer(spec, null, test).render(new FashionScene(FashionMnist.Split.TEST,
          List.of(new FashionPlacement(new Slot(0, 1), FashionClass.BAG, WorldColor.GREEN, bag),
              new FashionPlacement(new Slot(1, 0), FashionClass.TROUSER, WorldColor.PINK, trouser))));
      List<BufferedImage> cellImages = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        for (int c = 0; c < 2; c++) {
          cellImages.add(image.getSubimage(c * 16, r * 16, 16, 16));
        }
      }
      List<Verdict> verdicts = judge.judge(cellImages);
      assertThat(verdicts).extracting(Verdict::kind).containsExactly(Optional.empty(), Optional.of(FashionClass.BAG),
          Optional.of(FashionClass.TROUSER), Optional.empty());
      assertThatThrownBy(() -> judge.judge(List.of(image))).hasMessageContaining("must be 16x16");
    }
    assertThat(cache.resolve("judge.json")).exists();

    // The second call loads the cache instead of training: same card, same verdicts.
    try (FashionJudge again = FashionJudge.trainOrLoad(cache, spec, dataset, JudgeSettings.standard(),
        (done, total, message) -> {
          throw new AssertionError("trained again instead of loading the cache");
        })) {
      assertThat(again.card().testAccuracy()).isEqualTo(card.testAccuracy());
      assertThat(again.confusion(FashionMnist.read(dataset, FashionMnist.Split.TEST), 0)).isEqualTo(card.confusion());
    }
  }

  @Test
  void aDamagedCacheIsNamedAndAJudgeOfAnotherWorldRefused() throws Exception {
    Path dataset = dataset();
    Path cache = Files.createDirectories(tmp.resolve("damaged"));
    Files.writeString(cache.resolve("judge.json"), "{ not json");
    assertThatThrownBy(() -> FashionJudge.trainOrLoad(cache, FashionWorldSpec.standard(), dataset,
        JudgeSettings.standard(), ProgressListener.none()))
        .hasMessageContaining("judge.json").hasMessageContaining("delete");
    assertThatThrownBy(() -> FashionJudge.load(tmp.resolve("none"), FashionWorldSpec.standard()))
        .hasMessageContaining("no judge here");
  }

  private static int firstOf(FashionItems items, FashionClass kind) {
    for (int i = 0; i < items.size(); i++) {
      if (items.label(i) == kind) {
        return i;
      }
    }
    throw new AssertionError(kind);
  }
}
