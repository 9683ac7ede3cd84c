package org.aia4j.evaluation.fashion;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import org.aia4j.evaluation.fashion.FashionMnist.Split;
import org.aia4j.evaluation.world.Slot;
import org.aia4j.evaluation.world.WorldColor;
import org.junit.jupiter.api.Test;

class TintReaderTest {

  @Test
  void readsEveryTintBackFromRealItemsScaledToTheStandardCell() throws IOException {
    FashionItems test = FashionMnist.read(FashionMnistTest.installedCopy(), Split.TEST);
    FashionWorldSpec spec = FashionWorldSpec.standard();
    FashionSceneRenderer renderer = new FashionSceneRenderer(spec, null, test);
    int wrong = 0;
    int tried = 0;
    for (WorldColor tint : WorldColor.values()) {
      for (int item = 0; item < 200; item++) {
        FashionScene scene = new FashionScene(Split.TEST,
            List.of(new FashionPlacement(new Slot(0, 0), test.label(item), tint, item)));
        BufferedImage image = renderer.render(scene);
        int[] cell = image.getRGB(0, 0, spec.cellSize(), spec.cellSize(), null, 0, spec.cellSize());
        tried++;
        if (TintReader.read(cell).orElse(null) != tint) {
          wrong++;
        }
      }
    }
    assertThat(wrong).as("misread tints of %d", tried).isZero();
  }

  @Test
  void readsTintsThroughNoiseAndSaysWhenACellIsEmpty() throws IOException {
    FashionItems test = FashionMnist.read(FashionMnistTest.installedCopy(), Split.TEST);
    FashionWorldSpec spec = FashionWorldSpec.standard();
    FashionSceneRenderer renderer = new FashionSceneRenderer(spec, null, test);
    SplittableRandom random = new SplittableRandom(5);
    int right = 0;
    int tried = 0;
    for (WorldColor tint : WorldColor.values()) {
      for (int item = 0; item < 100; item++) {
        BufferedImage image = renderer.render(new FashionScene(Split.TEST,
            List.of(new FashionPlacement(new Slot(0, 0), test.label(item), tint, item))));
        int[] cell = noisy(image.getRGB(0, 0, 16, 16, null, 0, 16), random, 12);
        tried++;
        right += TintReader.read(cell).orElse(null) == tint ? 1 : 0;
      }
    }
    assertThat(right / (double) tried).isGreaterThan(0.98);

    int[] blank = new int[16 * 16];
    java.util.Arrays.fill(blank, WorldColor.BACKGROUND_RGB);
    assertThat(TintReader.read(noisy(blank, random, 12))).isEmpty();
  }

  /** Adds uniform noise of +-{@code amplitude} to each channel, as a model's drawing might. */
  private static int[] noisy(int[] rgb, SplittableRandom random, int amplitude) {
    int[] out = new int[rgb.length];
    for (int i = 0; i < rgb.length; i++) {
      int pixel = 0;
      for (int shift = 16; shift >= 0; shift -= 8) {
        int c = (rgb[i] >> shift & 0xFF) + random.nextInt(-amplitude, amplitude + 1);
        pixel |= Math.max(0, Math.min(255, c)) << shift;
      }
      out[i] = pixel;
    }
    return out;
  }
}
