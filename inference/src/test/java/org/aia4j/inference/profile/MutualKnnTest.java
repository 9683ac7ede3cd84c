package org.aia4j.inference.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MutualKnnTest {

  @Test
  void identicalSpacesAlignFully() {
    float[][] a = random(new SplittableRandom(1), 60, 16);
    assertThat(MutualKnn.score(a, a, 10)).isEqualTo(1.0);
  }

  @Test
  void aRotatedAndScaledCopyAlignsFully() {
    // Cosine neighbours ignore scale and an orthogonal map (here a coordinate permutation with sign flips).
    float[][] a = random(new SplittableRandom(2), 50, 8);
    float[][] b = new float[a.length][8];
    for (int i = 0; i < a.length; i++) {
      for (int d = 0; d < 8; d++) {
        b[i][d] = (d % 2 == 0 ? -3f : 3f) * a[i][(d + 3) % 8];
      }
    }
    assertThat(MutualKnn.score(a, b, 10)).isEqualTo(1.0);
  }

  @Test
  void unrelatedRandomSpacesScoreAboutKOverN() {
    // Expected k / (N - 1) = 10 / 199 = 0.050; over 200 samples the mean's spread is about 0.005.
    SplittableRandom random = new SplittableRandom(3);
    double score = MutualKnn.score(random(random, 200, 32), random(random, 200, 24), 10);
    assertThat(score).isCloseTo(10.0 / 199, within(0.02));
  }

  @Test
  void aNoisyCopyLiesBetween() {
    SplittableRandom random = new SplittableRandom(4);
    float[][] a = random(random, 100, 16);
    float[][] noisy = new float[a.length][16];
    for (int i = 0; i < a.length; i++) {
      for (int d = 0; d < 16; d++) {
        noisy[i][d] = a[i][d] + (float) (0.5 * random.nextGaussian());
      }
    }
    assertThat(MutualKnn.score(a, noisy, 10)).isBetween(0.2, 0.95);
  }

  @Test
  void badInputsAreNamed() {
    float[][] a = random(new SplittableRandom(5), 10, 4);
    assertThatThrownBy(() -> MutualKnn.score(a, random(new SplittableRandom(6), 9, 4), 3))
        .hasMessage("The two spaces hold 10 and 9 samples; mutual k-NN compares the same samples in both");
    assertThatThrownBy(() -> MutualKnn.score(a, a, 10))
        .hasMessage("k must be in [1, samples - 1] = [1, 9], got 10 (use more samples or a smaller k)");
    assertThatThrownBy(() -> MutualKnn.score(a, a, 0)).hasMessage("k must be in [1, samples - 1] = [1, 9], got 0");
    float[][] ragged = a.clone();
    ragged[3] = new float[5];
    assertThatThrownBy(() -> MutualKnn.score(ragged, a, 2)).hasMessage("Row 3 of a has width 5, row 0 has 4");
  }

  static float[][] random(SplittableRandom random, int n, int width) {
    float[][] x = new float[n][width];
    for (float[] row : x) {
      for (int d = 0; d < width; d++) {
        row[d] = (float) random.nextGaussian();
      }
    }
    return x;
  }
}
