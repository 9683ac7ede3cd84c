package org.aia4j.evaluation.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.aia4j.api.model.Task;

/**
 * The side-by-side table: one column per run, one row per figure (configuration, scores, final
 * losses, distance to the targets). Rows no run has are left out. A row that has a better
 * direction knows its best cells ({@link Row#best()}).
 *
 * @param runs the column headers (run names)
 * @param rows the rows, top to bottom
 */
public record ComparisonTable(List<String> runs, List<Row> rows) {

  /** Which way a row's numbers are better. */
  public enum Better {
    /** Scores. */
    HIGHER,
    /** Losses and distances. */
    LOWER,
    /** Configuration: nothing to compare. */
    NONE
  }

  /**
   * One cell: what is shown and, for a number, its value.
   *
   * @param text the shown text, {@code "-"} for missing
   * @param value the number, null for text or missing
   */
  public record Cell(String text, Double value) {
    static final Cell MISSING = new Cell("\u2013", null);

    static Cell number(Double value) {
      return value == null || !Double.isFinite(value) ? MISSING
          : new Cell(String.format(Locale.ROOT, "%.3f", value), value);
    }

    static Cell text(Object value) {
      return value == null ? MISSING : new Cell(value.toString(), null);
    }
  }

  /**
   * One row.
   *
   * @param section the group heading it belongs to
   * @param label the row label
   * @param better which way is better
   * @param cells one per run
   */
  public record Row(String section, String label, Better better, List<Cell> cells) {
    public Row {
      Objects.requireNonNull(section, "section");
      Objects.requireNonNull(label, "label");
      Objects.requireNonNull(better, "better");
      cells = List.copyOf(cells);
    }

    /**
     * The best cells: none unless the row has a direction, two or more numbers, and they are not
     * all equal (as shown, to three decimals); ties for best are all best.
     *
     * @return the positions of the best cells
     */
    public Set<Integer> best() {
      List<Integer> numeric = new ArrayList<>();
      for (int i = 0; i < cells.size(); i++) {
        if (cells.get(i).value() != null) {
          numeric.add(i);
        }
      }
      if (better == Better.NONE || numeric.size() < 2) {
        return Set.of();
      }
      Set<String> shown = new LinkedHashSet<>();
      numeric.forEach(i -> shown.add(cells.get(i).text()));
      if (shown.size() == 1) {
        return Set.of();
      }
      String bestText = null;
      double bestValue = 0;
      for (int i : numeric) {
        double v = cells.get(i).value();
        if (bestText == null || (better == Better.HIGHER ? v > bestValue : v < bestValue)) {
          bestValue = v;
          bestText = cells.get(i).text();
        }
      }
      Set<Integer> best = new LinkedHashSet<>();
      for (int i : numeric) {
        if (cells.get(i).text().equals(bestText)) {
          best.add(i);
        }
      }
      return best;
    }
  }

  public ComparisonTable {
    runs = List.copyOf(runs);
    rows = List.copyOf(rows);
  }

  /**
   * Builds the table.
   *
   * @param runs the runs, one column each
   * @param tail the final losses are the mean of this many last logged steps
   * @return the table
   */
  public static ComparisonTable of(List<ReportRun> runs, int tail) {
    List<Row> rows = new ArrayList<>();
    Builder b = new Builder(runs, rows);
    String config = "Configuration";
    b.text(config, "preset", ReportRun::preset);
    b.text(config, "AIA loss", r -> r.aia() == null ? null : r.aia() ? "on" : "off");
    b.text(config, "training steps", ReportRun::steps);
    b.text(config, "seed", ReportRun::seed);
    b.text(config, "checkpoint step", ReportRun::checkpointStep);
    b.text(config, "sampling (cfg / temperature / top-k)", ReportRun::samplingSummary);

    String geneval = "GenEval-style";
    b.number(geneval, "overall", Better.HIGHER, r -> r.geneval() == null ? null : r.geneval().overall());
    for (String tag : partNames(runs, ReportRun::geneval)) {
      b.number(geneval, tag, Better.HIGHER, r -> r.geneval() == null ? null : r.geneval().parts().get(tag));
    }
    String mmbench = "MMBench-style";
    b.number(mmbench, "circular", Better.HIGHER, r -> r.mmbench() == null ? null : r.mmbench().overall());
    b.number(mmbench, "vanilla", Better.HIGHER, r -> r.mmbench() == null ? null : r.mmbench().vanilla());

    String training = "Training (final: mean of the last " + tail + " logged steps)";
    for (Task task : List.of(Task.UNDERSTANDING, Task.GENERATION)) {
      b.number(training, "token loss " + task.shortName(), Better.LOWER, r -> r.training() == null
          || !r.training().tokenLoss().containsKey(task) ? null : r.training().tokenLoss().get(task).tailMean(tail));
    }
    for (Task task : List.of(Task.UNDERSTANDING, Task.GENERATION)) {
      b.number(training, "AIA loss " + task.shortName() + " (unweighted)", Better.LOWER, r -> r.training() == null
          || !r.training().aiaLoss().containsKey(task) ? null : r.training().aiaLoss().get(task).tailMean(tail));
    }
    // Counts, shown as whole numbers: anything but 0 deserves a look at the run's log.
    b.text(training, "steps recomputed (gradient guard)",
        r -> r.training() == null ? null : r.training().recomputedSteps());
    b.text(training, "updates skipped (non-finite gradients)",
        r -> r.training() == null ? null : r.training().skippedUpdates());
    String attention = "Attention";
    for (Task task : List.of(Task.UNDERSTANDING, Task.GENERATION)) {
      b.number(attention, "mean |I_l \u2212 T_l| " + task.shortName(), Better.LOWER, r -> r.targetDeviation(task));
    }
    return new ComparisonTable(runs.stream().map(ReportRun::name).toList(), rows);
  }

  private static List<String> partNames(List<ReportRun> runs, Function<ReportRun, BenchmarkScores> scores) {
    Set<String> names = new LinkedHashSet<>();
    for (ReportRun run : runs) {
      BenchmarkScores s = scores.apply(run);
      if (s != null) {
        names.addAll(s.parts().keySet());
      }
    }
    return List.copyOf(names);
  }

  /** Adds a row only if some run has a value for it. */
  private record Builder(List<ReportRun> runs, List<Row> rows) {
    void text(String section, String label, Function<ReportRun, Object> value) {
      add(section, label, Better.NONE, runs.stream().map(r -> Cell.text(value.apply(r))).toList());
    }

    void number(String section, String label, Better better, Function<ReportRun, Double> value) {
      add(section, label, better, runs.stream().map(r -> Cell.number(value.apply(r))).toList());
    }

    private void add(String section, String label, Better better, List<Cell> cells) {
      if (cells.stream().anyMatch(c -> c != Cell.MISSING)) {
        rows.add(new Row(section, label, better, cells));
      }
    }
  }
}
