package org.aia4j.tokenizers;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.aia4j.evaluation.world.BoundingBox;
import org.aia4j.evaluation.world.ObjectClass;
import org.aia4j.evaluation.world.SceneAnalyser;
import org.aia4j.evaluation.world.SceneRenderer;
import org.aia4j.evaluation.world.SceneSampler;
import org.aia4j.evaluation.world.Slot;
import org.aia4j.evaluation.world.WorldColor;
import org.aia4j.evaluation.world.WorldSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tokenizer must not be the bottleneck of any score: the world's analyser reads a decoded
 * image the same as the original (every object's shape, colour, slot and box).
 */
class WorldFidelityTest {

  private record Reading(ObjectClass shape, WorldColor color, Slot slot, BoundingBox box) {}

  private static List<Reading> read(SceneAnalyser analyser, BufferedImage image) {
    return analyser.analyse(image).objects().stream()
        .map(o -> new Reading(o.shape(), o.color(), o.slot(), o.box()))
        .toList();
  }

  @ParameterizedTest
  @ValueSource(ints = {32, 64})
  void decodedHeldOutScenesReadTheSameAsTheOriginals(int size) {
    WorldSpec spec = WorldSpec.ofSize(size);
    SceneRenderer renderer = new SceneRenderer(spec);
    SceneSampler fitting = SceneSampler.allCombinations(spec, 1);
    List<BufferedImage> training = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      training.add(renderer.render(fitting.sample()));
    }
    PatchVqTokenizer tokenizer = PatchVqTrainer.defaults().fit(training);

    SceneAnalyser analyser = new SceneAnalyser(spec);
    SceneSampler heldOut = SceneSampler.allCombinations(spec, 2);
    int agree = 0;
    int objects = 0;
    for (int i = 0; i < 1_000; i++) {
      BufferedImage image = renderer.render(heldOut.sample());
      List<Reading> original = read(analyser, image);
      objects += original.size();
      if (original.equals(read(analyser, tokenizer.decode(tokenizer.encode(image))))) {
        agree++;
      }
    }

    double fidelity = agree / 1_000.0;
    System.out.printf(
        "patch-vq fidelity at %dx%d: %.3f of 1000 held-out scenes (%d objects); %s, %d distinct"
            + " training patches%n",
        size, size, fidelity, objects, tokenizer, tokenizer.provenance().distinctPatches());
    assertThat(tokenizer.tokensPerImage()).isEqualTo((size / 4) * (size / 4));
    assertThat(objects).as("the scenes hold objects to read").isGreaterThan(2_000);
    assertThat(fidelity).isGreaterThanOrEqualTo(0.99);
  }
}
