package org.aia4j.evaluation.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One suite's figures from an eval run's {@code summary.json}.
 *
 * @param overall the headline score: GenEval overall, MMBench CircularEval accuracy
 * @param vanilla MMBench's one-pass accuracy; null for GenEval
 * @param parts per GenEval tag or MMBench category, in the file's order
 */
public record BenchmarkScores(double overall, Double vanilla, Map<String, Double> parts) {

  public BenchmarkScores {
    parts = Collections.unmodifiableMap(new LinkedHashMap<>(parts));
  }
}
