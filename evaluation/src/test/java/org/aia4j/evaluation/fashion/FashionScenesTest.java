package org.aia4j.evaluation.fashion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.aia4j.evaluation.fashion.FashionMnist.Split;
import org.aia4j.evaluation.world.Slot;
import org.aia4j.evaluation.world.WorldColor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FashionScenesTest {
  static FashionItems train;
  static FashionItems test;

  @BeforeAll
  static void read() throws IOException {
    Path dir = FashionMnistTest.installedCopy();
    train = FashionMnist.read(dir, Split.TRAIN);
    test = FashionMnist.read(dir, Split.TEST);
  }

  @Test
  void blendIsTheBackgroundWithoutInkAndTheTintAtFullInk() {
    int grey = WorldColor.BACKGROUND_RGB;
    assertThat(FashionSceneRenderer.blendOf(grey, WorldColor.RED.rgb(), 0)).isEqualTo(grey);
    assertThat(FashionSceneRenderer.blendOf(grey, WorldColor.RED.rgb(), 255)).isEqualTo(WorldColor.RED.rgb());
    // Ink 128: red 153 + round(71 * 128/255 = 35.6) = 189 = 0xBD; green and blue 153 + round(-126 * 128/255 = -63.2) = 90 = 0x5A.
    assertThat(FashionSceneRenderer.blendOf(grey, WorldColor.RED.rgb(), 128)).isEqualTo(0xBD5A5A);
  }

  @Test
  void aFullSizeCellShowsTheItemsOwnPixelsTinted() {
    FashionWorldSpec spec = new FashionWorldSpec(2, 28, FashionWorldSpec.STANDARD_CLASSES);
    FashionScene scene = new FashionScene(Split.TEST,
        List.of(new FashionPlacement(new Slot(1, 0), test.label(0), WorldColor.BLUE, 0)));
    BufferedImage image = new FashionSceneRenderer(spec, null, test).render(scene);

    assertThat(image.getWidth()).isEqualTo(56);
    for (int y = 0; y < 28; y++) {
      for (int x = 0; x < 28; x++) {
        assertThat(image.getRGB(x, 28 + y) & 0xFFFFFF)
            .isEqualTo(FashionSceneRenderer.blendOf(WorldColor.BACKGROUND_RGB, WorldColor.BLUE.rgb(), test.ink(0, x, y)));
        assertThat(image.getRGB(28 + x, y) & 0xFFFFFF).isEqualTo(WorldColor.BACKGROUND_RGB);
      }
    }
  }

  @Test
  void scalingKeepsAnItemsMeanInk() {
    for (int index : new int[] {0, 1, 17, 4242}) {
      double before = Arrays.stream(train.image(index)).average().orElseThrow();
      double after = Arrays.stream(FashionSceneRenderer.ink(train, index, 16)).average().orElseThrow();
      assertThat(after).as("item %d", index).isCloseTo(before, org.assertj.core.data.Offset.offset(1.5));
    }
  }

  @Test
  void theSameSeedGivesTheSameScenesAndImages() {
    FashionWorldSpec spec = FashionWorldSpec.standard();
    FashionSceneRenderer renderer = new FashionSceneRenderer(spec, train, test);
    FashionSceneSampler a = new FashionSceneSampler(spec, train, 7);
    FashionSceneSampler b = new FashionSceneSampler(spec, train, 7);
    for (int i = 0; i < 20; i++) {
      FashionScene scene = a.sample();
      assertThat(b.sample()).isEqualTo(scene);
      BufferedImage first = renderer.render(scene);
      BufferedImage second = renderer.render(scene);
      assertThat(first.getRGB(0, 0, 32, 32, null, 0, 32)).isEqualTo(second.getRGB(0, 0, 32, 32, null, 0, 32));
    }
    assertThat(new FashionSceneSampler(spec, train, 8).sample(4))
        .isNotEqualTo(new FashionSceneSampler(spec, train, 7).sample(4));
  }

  @Test
  void trainingScenesShowOnlyTrainingItemsOfTheirStatedClass() {
    Set<String> testImages = new HashSet<>();
    for (int i = 0; i < test.size(); i++) {
      testImages.add(Arrays.toString(test.image(i)));
    }
    FashionWorldSpec spec = FashionWorldSpec.standard();
    FashionSceneSampler sampler = new FashionSceneSampler(spec, train, 3);
    int items = 0;
    for (int i = 0; i < 300; i++) {
      FashionScene scene = sampler.sample();
      assertThat(scene.split()).isEqualTo(Split.TRAIN);
      for (FashionPlacement placement : scene.items()) {
        assertThat(train.label(placement.item())).isEqualTo(placement.kind());
        assertThat(spec.classes()).contains(placement.kind());
        assertThat(testImages).doesNotContain(Arrays.toString(train.image(placement.item())));
        items++;
      }
    }
    assertThat(items).isGreaterThan(300);
  }

  @Test
  void badScenesAreRefused() {
    FashionWorldSpec spec = FashionWorldSpec.standard();
    FashionSceneRenderer renderer = new FashionSceneRenderer(spec, null, test);
    assertThatThrownBy(() -> renderer.render(new FashionScene(Split.TEST,
        List.of(new FashionPlacement(new Slot(0, 0), FashionClass.BAG, WorldColor.RED, 10_000)))))
        .hasMessageContaining("beyond the 10000 items");
    assertThatThrownBy(() -> renderer.render(new FashionScene(Split.TRAIN, List.of())))
        .hasMessageContaining("no TRAIN split");
    assertThatThrownBy(() -> new FashionScene(Split.TEST, List.of(
        new FashionPlacement(new Slot(0, 0), FashionClass.BAG, WorldColor.RED, 1),
        new FashionPlacement(new Slot(0, 0), FashionClass.BAG, WorldColor.RED, 2))))
        .hasMessageContaining("Two items in cell");
    assertThatThrownBy(() -> new FashionSceneSampler(spec, test, 0).place(new Slot(0, 0), FashionClass.SHIRT,
        WorldColor.RED)).hasMessageContaining("shirt is not a class of this world");
    assertThatThrownBy(() -> new FashionWorldSpec(2, 30, spec.classes())).hasMessageContaining("multiple of 4");
  }
}
