package org.aia4j.server.eval;

import java.util.List;
import java.util.Objects;
import org.aia4j.evaluation.run.EvalSettings;

/**
 * What an evaluation job runs, as {@code aia eval} would: the benchmarks and every setting,
 * recorded in the job and its {@code summary.json} so its scores can be reproduced.
 *
 * @param benchmarks registered benchmark names, in order
 * @param settings the run's settings
 */
public record EvaluationSpec(List<String> benchmarks, EvalSettings settings) {

  // Copies the names; the suites themselves are checked when the job is queued.
  public EvaluationSpec {
    benchmarks = List.copyOf(benchmarks);
    if (benchmarks.isEmpty()) {
      throw new IllegalArgumentException("benchmarks must name at least one benchmark");
    }
    Objects.requireNonNull(settings, "settings");
  }
}
