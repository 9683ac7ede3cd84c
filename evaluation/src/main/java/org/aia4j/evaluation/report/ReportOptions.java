package org.aia4j.evaluation.report;

import java.util.Objects;

/**
 * What a report shows.
 *
 * @param title the page title
 * @param prompts how many GenEval prompts' images the grid shows per run ({@code 0}: no grid)
 * @param smoothing the moving-average window of training curves, in logged steps
 * @param tail the table's final losses average this many last logged steps
 */
public record ReportOptions(String title, int prompts, int smoothing, int tail) {

  /** The defaults of {@code aia report}. */
  public static final ReportOptions DEFAULTS = new ReportOptions("aia4j report", 8, 25, 20);

  public ReportOptions {
    Objects.requireNonNull(title, "title");
    if (prompts < 0) {
      throw new IllegalArgumentException("prompts must be >= 0, got " + prompts);
    }
    if (smoothing < 1 || tail < 1) {
      throw new IllegalArgumentException("smoothing and tail must be >= 1 step, got " + smoothing + " and " + tail);
    }
  }

  /** @return these options under another title */
  public ReportOptions withTitle(String newTitle) {
    return new ReportOptions(newTitle, prompts, smoothing, tail);
  }
}
