package org.aia4j.api.benchmark;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The result of one benchmark run.
 *
 * @param benchmark the benchmark's name
 * @param overall the headline number, as the benchmark defines it (e.g. GenEval's mean of tag
 *     accuracies); finite
 * @param breakdown named parts of the score (per tag, per category), each finite; insertion
 *     order is kept for reports
 * @param details everything needed to reproduce and audit the number: options, sampling
 *     settings, model info, item counts, timings. Values should be JSON-serialisable
 */
public record BenchmarkScore(
    String benchmark, double overall, Map<String, Double> breakdown, Map<String, Object> details) {

  // Validates the score and makes immutable, order-keeping copies of the maps.
  public BenchmarkScore {
    if (benchmark == null || benchmark.isBlank()) {
      throw new IllegalArgumentException("benchmark must not be blank");
    }
    if (!Double.isFinite(overall)) {
      throw new IllegalArgumentException("overall must be finite, got " + overall);
    }
    breakdown = copy("breakdown", breakdown);
    breakdown.forEach(
        (k, v) -> {
          if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("breakdown['" + k + "'] must be finite, got " + v);
          }
        });
    details = copy("details", details);
  }

  private static <V> Map<String, V> copy(String what, Map<String, V> map) {
    Objects.requireNonNull(map, what + " must not be null");
    Map<String, V> copy = new LinkedHashMap<>();
    map.forEach(
        (k, v) ->
            copy.put(
                Objects.requireNonNull(k, what + " keys must not be null"),
                Objects.requireNonNull(v, () -> what + "['" + k + "'] must not be null")));
    return Collections.unmodifiableMap(copy);
  }
}
