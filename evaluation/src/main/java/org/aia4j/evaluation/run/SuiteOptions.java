package org.aia4j.evaluation.run;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * How large the embedded suites are drawn, and from which seed: an experiment that must see a
 * 0.02 difference needs more items than the defaults, and a second suite seed to measure what the
 * suite's own draw contributes. Ignored by a suite read from a file.
 *
 * @param genevalPerTag GenEval-style entries per tag: tags with fewer prompts cycle them up to
 *     this many (each repeat draws its own images); 0 = the suite as generated
 * @param mmbenchQuestions MMBench-style questions; 0 = the suite's default (350)
 * @param seed the generator seed of both embedded suites; null = each suite's own default (43
 *     for GenEval-style, 2024 for MMBench-style)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SuiteOptions(int genevalPerTag, int mmbenchQuestions, Long seed) {
  /** The embedded suites as they are by default. */
  public static final SuiteOptions DEFAULTS = new SuiteOptions(0, 0, null);

  public SuiteOptions {
    if (genevalPerTag < 0) {
      throw new IllegalArgumentException("--geneval-per-tag must be >= 0 (0 = the suite as generated), got "
          + genevalPerTag);
    }
    if (mmbenchQuestions < 0) {
      throw new IllegalArgumentException("--mmbench-questions must be >= 0 (0 = the default 350), got "
          + mmbenchQuestions);
    }
  }
}
