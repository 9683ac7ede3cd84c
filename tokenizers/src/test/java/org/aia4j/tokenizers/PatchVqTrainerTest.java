package org.aia4j.tokenizers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.aia4j.evaluation.world.SceneRenderer;
import org.aia4j.evaluation.world.SceneSampler;
import org.aia4j.evaluation.world.WorldSpec;
import org.junit.jupiter.api.Test;

class PatchVqTrainerTest {

  private static List<BufferedImage> world(int size, long seed, int count) {
    WorldSpec spec = WorldSpec.ofSize(size);
    SceneRenderer renderer = new SceneRenderer(spec);
    SceneSampler sampler = SceneSampler.allCombinations(spec, seed);
    return IntStream.range(0, count).mapToObj(i -> renderer.render(sampler.sample())).toList();
  }

  private static List<int[]> codebook(PatchVqTokenizer tokenizer) {
    return IntStream.range(0, tokenizer.usedCodes()).mapToObj(tokenizer::patch).toList();
  }

  private static BufferedImage flat(int size, int rgb) {
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        image.setRGB(x, y, rgb);
      }
    }
    return image;
  }

  @Test
  void fewerDistinctPatchesThanCodesBecomeTheCodebookByFrequencyThenValue() {
    BufferedImage grey = flat(4, 0x999999);
    BufferedImage twoTone = flat(4, 0x999999);
    for (int y = 0; y < 2; y++) {
      for (int x = 0; x < 2; x++) {
        twoTone.setRGB(x, y, 0x0A0A0A); // top-left patch black
        twoTone.setRGB(x + 2, y + 2, 0x050505); // bottom-right patch darker black
      }
    }

    PatchVqTokenizer tokenizer =
        PatchVqTrainer.defaults().withPatchSize(2).fit(List.of(grey, twoTone));

    assertThat(tokenizer.provenance().method()).isEqualTo("distinct-patches");
    assertThat(tokenizer.provenance().distinctPatches()).isEqualTo(3);
    assertThat(tokenizer.provenance().patches()).isEqualTo(8);
    assertThat(tokenizer.usedCodes()).isEqualTo(3);
    assertThat(tokenizer.codebookSize()).isEqualTo(256);
    // grey 6 times first; then the two singletons, smaller pixel value first
    assertThat(codebook(tokenizer))
        .containsExactly(
            new int[] {0x999999, 0x999999, 0x999999, 0x999999},
            new int[] {0x050505, 0x050505, 0x050505, 0x050505},
            new int[] {0x0A0A0A, 0x0A0A0A, 0x0A0A0A, 0x0A0A0A});
    assertThat(tokenizer.encode(twoTone)).containsExactly(2, 0, 0, 1);
  }

  @Test
  void theWorldAt32NeedsNoClusteringAndEncodesLosslessly() {
    List<BufferedImage> images = world(32, 1, 500);

    PatchVqTokenizer tokenizer = PatchVqTrainer.defaults().fit(images);

    assertThat(tokenizer.provenance().method()).isEqualTo("distinct-patches");
    assertThat(tokenizer.usedCodes()).isBetween(100, 256);
    assertThat(tokenizer.tokensPerImage()).isEqualTo(64);
    for (BufferedImage image : images.subList(0, 50)) {
      BufferedImage back = tokenizer.decode(tokenizer.encode(image));
      assertThat(PatchTable.rgb(back)).isEqualTo(PatchTable.rgb(image));
    }
  }

  @Test
  void theSameSeedAndDataGiveTheSameCodebook() {
    List<BufferedImage> images = world(32, 3, 300);
    PatchVqTrainer small = PatchVqTrainer.defaults().withCodebookSize(48).withSeed(11);

    PatchVqTokenizer first = small.fit(images);
    PatchVqTokenizer second = small.fit(images);

    assertThat(first.provenance().method()).isEqualTo("k-means++");
    assertThat(first.usedCodes()).isBetween(2, 48);
    assertThat(codebook(second)).containsExactlyElementsOf(codebook(first));
  }

  @Test
  void theCodebookDoesNotDependOnTheOrderOfTheImages() {
    List<BufferedImage> images = new ArrayList<>(world(32, 4, 200));
    PatchVqTokenizer forward = PatchVqTrainer.defaults().fit(images);
    Collections.reverse(images);

    PatchVqTokenizer backward = PatchVqTrainer.defaults().fit(images);

    assertThat(codebook(backward)).containsExactlyElementsOf(codebook(forward));
  }

  @Test
  void clusteredCodesArePatchesThatOccurredNotMeans() {
    List<BufferedImage> images = world(32, 5, 200);
    PatchVqTokenizer all = PatchVqTrainer.defaults().fit(images);
    List<String> seen = codebook(all).stream().map(Arrays::toString).toList();

    PatchVqTokenizer clustered =
        PatchVqTrainer.defaults().withCodebookSize(32).withIterations(20).fit(images);

    assertThat(codebook(clustered)).allSatisfy(code -> assertThat(seen).contains(Arrays.toString(code)));
    assertThat(clustered.patch(0)).as("the background is the most frequent code")
        .containsOnly(0x999999);
  }

  @Test
  void rejectsImagesThatDoNotFit() {
    PatchVqTrainer trainer = PatchVqTrainer.defaults();
    BufferedImage odd = new BufferedImage(30, 30, BufferedImage.TYPE_INT_RGB);
    List<BufferedImage> mixed = List.of(flat(32, 0), flat(64, 0));

    assertThatThrownBy(() -> trainer.fit(List.of()))
        .hasMessage("Cannot fit a codebook on no images");
    assertThatThrownBy(() -> trainer.fit(List.of(odd)))
        .hasMessageContaining("multiple of the patch size 4; the first is 30x30");
    assertThatThrownBy(() -> trainer.fit(mixed.stream()))
        .hasMessage(
            "Training image 1: Expected a 32x32 image, got 64x64; resize it first"
                + " (all must match the first)");
    assertThatThrownBy(() -> trainer.withCodebookSize(0))
        .hasMessageContaining("codebook size must be positive");
  }
}
