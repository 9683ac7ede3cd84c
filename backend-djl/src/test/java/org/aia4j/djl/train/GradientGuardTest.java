package org.aia4j.djl.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GradientGuardTest {

  @Test
  void nonFiniteNormsAreAlwaysSuspicious() {
    GradientGuard guard = new GradientGuard();
    assertThat(guard.suspicious(Double.NaN)).isTrue();
    assertThat(guard.suspicious(Double.POSITIVE_INFINITY)).isTrue();
    assertThat(guard.suspicious(1e30)).as("no history yet: finite norms pass").isFalse();
  }

  @Test
  void aFiniteNormIsJudgedAgainstTheRecentMedianOnceThereIsHistory() {
    GradientGuard guard = new GradientGuard();
    for (int i = 0; i < GradientGuard.MIN_HISTORY - 1; i++) {
      guard.accept(i % 2 == 0 ? 1.0 : 3.0);
    }
    assertThat(guard.suspicious(1e9)).as("one norm short of the history needed").isFalse();
    guard.accept(2.0);
    // 10 ones, a two and 9 threes: the median of 20 is (1 + 2) / 2.
    assertThat(guard.median()).isEqualTo(1.5);
    assertThat(guard.suspicious(GradientGuard.FACTOR * 1.5)).isFalse();
    assertThat(guard.suspicious(GradientGuard.FACTOR * 1.5 * 1.01)).isTrue();
  }

  @Test
  void theMedianFollowsTheLastWindowOfAcceptedNormsAndIgnoresNaN() {
    GradientGuard guard = new GradientGuard();
    for (int i = 0; i < GradientGuard.WINDOW; i++) {
      guard.accept(1.0);
    }
    for (int i = 0; i < GradientGuard.WINDOW / 2 + 1; i++) {
      guard.accept(100.0);
    }
    guard.accept(Double.NaN);
    assertThat(guard.median()).isEqualTo(100.0);
  }
}
