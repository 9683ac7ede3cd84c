package org.aia4j.evaluation.world;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class WorldTest {

  @ParameterizedTest
  @ValueSource(ints = {32, 64})
  void analyserReadsBackEveryRenderedSceneExactly(int size) {
    WorldSpec spec = WorldSpec.ofSize(size);
    SceneRenderer renderer = new SceneRenderer(spec);
    SceneAnalyser analyser = new SceneAnalyser(spec);
    SceneSampler sampler = SceneSampler.allCombinations(spec, 7);
    for (int i = 0; i < 500; i++) {
      Scene scene = sampler.sample();
      Analysis analysis = analyser.analyse(renderer.render(scene));
      assertThat(asObjects(analysis)).as("scene %d", i).isEqualTo(scene.objects());
      assertThat(analysis.rejected()).isEmpty();
      assertThat(analysis.objects()).allSatisfy(o -> assertThat(o.score()).isEqualTo(1.0));
    }
  }

  @Test
  void analyserToleratesMildPixelNoise() {
    WorldSpec spec = WorldSpec.standard();
    SceneRenderer renderer = new SceneRenderer(spec);
    SceneAnalyser analyser = new SceneAnalyser(spec);
    SceneSampler sampler = SceneSampler.allCombinations(spec, 11);
    SplittableRandom noise = new SplittableRandom(3);
    for (int i = 0; i < 100; i++) {
      Scene scene = sampler.sample();
      BufferedImage image = renderer.render(scene);
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          int rgb = image.getRGB(x, y);
          int r = clamp(((rgb >> 16) & 0xFF) + noise.nextInt(-15, 16));
          int g = clamp(((rgb >> 8) & 0xFF) + noise.nextInt(-15, 16));
          int b = clamp((rgb & 0xFF) + noise.nextInt(-15, 16));
          image.setRGB(x, y, (r << 16) | (g << 8) | b);
        }
      }
      assertThat(asObjects(analyser.analyse(image))).isEqualTo(scene.objects());
    }
  }

  @Test
  void halfDrawnAndSpillingBlobsAreRejectedNotCounted() {
    WorldSpec spec = WorldSpec.standard();
    SceneRenderer renderer = new SceneRenderer(spec);
    SceneAnalyser analyser = new SceneAnalyser(spec);
    BufferedImage image = renderer.render(Scene.of(new SceneObject(Shape.SQUARE, WorldColor.RED, new Slot(1, 1))));
    Graphics2D g = image.createGraphics();
    g.setColor(new Color(WorldColor.BACKGROUND_RGB));
    g.fillRect(8, 12, 8, 4); // erase the lower half of the square
    g.setColor(new Color(WorldColor.BLUE.rgb()));
    g.fillRect(20, 20, 10, 6); // a bar across two slots
    g.dispose();

    Analysis analysis = analyser.analyse(image);

    assertThat(analysis.objects()).isEmpty();
    assertThat(analysis.rejected()).extracting(RejectedBlob::color).containsExactlyInAnyOrder(WorldColor.RED, WorldColor.BLUE);
    assertThat(analysis.rejected()).extracting(RejectedBlob::reason)
        .anySatisfy(reason -> assertThat(reason).startsWith("fits no shape"))
        .anySatisfy(reason -> assertThat(reason).startsWith("spills out of its slot"));
  }

  @Test
  void shapeMasksAreMutuallyDistinctAtBothSizes() {
    for (int size : new int[] {32, 64}) {
      SceneRenderer renderer = new SceneRenderer(WorldSpec.ofSize(size));
      for (Shape a : Shape.values()) {
        boolean[] ma = renderer.mask(a);
        assertThat(ma[0] || ma[ma.length - 1] || ma[ma.length / 2]).isTrue();
        for (Shape b : Shape.values()) {
          if (a.ordinal() < b.ordinal()) {
            assertThat(iou(ma, renderer.mask(b))).as("%s vs %s at %d", a, b, size).isLessThan(0.9);
          }
        }
      }
    }
  }

  @Test
  void samplerIsDeterministicAndTrainingScenesAvoidHeldOutCombinations() {
    WorldSpec spec = WorldSpec.standard();
    SceneSampler a = SceneSampler.trainingOnly(spec, 42);
    SceneSampler b = SceneSampler.trainingOnly(spec, 42);
    int[] counts = new int[WorldSpec.MAX_OBJECTS + 1];
    for (int i = 0; i < 2000; i++) {
      Scene scene = a.sample();
      assertThat(b.sample()).isEqualTo(scene);
      assertThat(scene.objects()).allSatisfy(o -> assertThat(spec.isTrainable(o.colorShape())).isTrue());
      counts[scene.objects().size()]++;
    }
    assertThat(counts[0]).isZero();
    for (int n = 1; n <= WorldSpec.MAX_OBJECTS; n++) {
      assertThat(counts[n]).as("scenes with %d objects", n).isBetween(400, 600);
    }
    SceneSampler all = SceneSampler.allCombinations(spec, 42);
    boolean heldOutSeen = false;
    for (int i = 0; i < 2000 && !heldOutSeen; i++) {
      heldOutSeen = all.sample().objects().stream().anyMatch(o -> !spec.isTrainable(o.colorShape()));
    }
    assertThat(heldOutSeen).isTrue();
  }

  @Test
  void badGeometryAndImagesGetSpecificErrors() {
    assertThatThrownBy(() -> WorldSpec.ofSize(40)).hasMessageContaining("slots must be a multiple of 4");
    assertThatThrownBy(() -> new SceneAnalyser(WorldSpec.standard()).analyse(new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB)))
        .hasMessageContaining("Expected a 32x32 image").hasMessageContaining("got 64x64");
    assertThatThrownBy(() -> Scene.of(new SceneObject(Shape.CROSS, WorldColor.RED, new Slot(0, 0)),
        new SceneObject(Shape.SQUARE, WorldColor.RED, new Slot(0, 0)))).hasMessageContaining("share slot");
    assertThatThrownBy(() -> Shape.parse("hexagon")).hasMessageContaining("circle, square, triangle, cross");
    assertThatThrownBy(() -> WorldColor.parse("teal")).hasMessageContaining("Known colours: red");
  }

  private static List<SceneObject> asObjects(Analysis analysis) {
    List<SceneObject> objects = new ArrayList<>();
    for (DetectedObject o : analysis.objects()) {
      objects.add(new SceneObject(o.shape(), o.color(), o.slot()));
    }
    return objects;
  }

  private static double iou(boolean[] a, boolean[] b) {
    int inter = 0;
    int union = 0;
    for (int i = 0; i < a.length; i++) {
      inter += a[i] && b[i] ? 1 : 0;
      union += a[i] || b[i] ? 1 : 0;
    }
    return inter / (double) union;
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }
}
