package org.aia4j.api.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.aia4j.api.model.SamplingSettings;
import org.junit.jupiter.api.Test;

class BenchmarkValuesTest {

  @Test
  void defaultOptionsEvaluateEverythingWithFourSamples() {
    var options = BenchmarkOptions.defaults();

    assertThat(options.limit()).isZero();
    assertThat(options.samplesPerPrompt()).isEqualTo(4);
    assertThat(options.sampling()).isEqualTo(SamplingSettings.defaults());
    assertThat(options.effectiveSize(553)).isEqualTo(553);
    assertThat(options.withLimit(50).effectiveSize(553)).isEqualTo(50);
    assertThat(options.withLimit(50).effectiveSize(20)).isEqualTo(20);
  }

  @Test
  void optionsRejectBadValuesByName() {
    var sampling = SamplingSettings.defaults();
    assertThatThrownBy(() -> new BenchmarkOptions(-1, 4, sampling, 8))
        .hasMessage("limit must be >= 0 (0 = all), got -1");
    assertThatThrownBy(() -> new BenchmarkOptions(0, 0, sampling, 8))
        .hasMessage("samplesPerPrompt must be > 0, got 0");
    assertThatThrownBy(() -> new BenchmarkOptions(0, 4, sampling, 0))
        .hasMessage("batchSize must be > 0, got 0");
    assertThatThrownBy(() -> new BenchmarkOptions(0, 4, null, 8))
        .hasMessage("sampling must not be null");
  }

  @Test
  void scoreKeepsBreakdownOrderAndRejectsNonFiniteNumbers() {
    Map<String, Double> breakdown = new LinkedHashMap<>();
    breakdown.put("single_object", 0.9);
    breakdown.put("two_object", 0.5);
    breakdown.put("counting", 0.3);
    var score = new BenchmarkScore("geneval", 0.567, breakdown, Map.of("seed", 0L));

    assertThat(score.breakdown().keySet())
        .containsExactly("single_object", "two_object", "counting");
    breakdown.put("counting", Double.NaN);
    assertThatThrownBy(() -> new BenchmarkScore("geneval", 0.5, breakdown, Map.of()))
        .hasMessage("breakdown['counting'] must be finite, got NaN");
    assertThatThrownBy(() -> new BenchmarkScore("geneval", Double.NaN, Map.of(), Map.of()))
        .hasMessage("overall must be finite, got NaN");
    assertThatThrownBy(() -> new BenchmarkScore(" ", 0.5, Map.of(), Map.of()))
        .hasMessage("benchmark must not be blank");
  }
}
