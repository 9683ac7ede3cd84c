package org.aia4j.evaluation.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.aia4j.api.model.Task;
import org.aia4j.loss.LayerTargets;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Renders the report's charts with XChart (headless) as PNGs. Each run keeps one colour in every
 * chart ({@link #color(int)}); a chart with nothing to show is not rendered.
 */
public final class ReportCharts {
  /** Tableau 10: distinguishable, and readable when printed in grey. */
  private static final Color[] PALETTE = {
      new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
      new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

  /** Targets all runs share are drawn in this colour, not in one run's. */
  private static final Color TARGET_GREY = new Color(0x444444);

  private static final int WIDTH = 640;
  private static final int HEIGHT = 400;

  private final List<ReportRun> runs;
  private final int smoothing;

  /**
   * @param runs the runs, in legend order
   * @param smoothing the moving-average window of training curves, in logged steps, {@code >= 1}
   */
  public ReportCharts(List<ReportRun> runs, int smoothing) {
    if (smoothing < 1) {
      throw new IllegalArgumentException("smoothing window must be >= 1 step, got " + smoothing);
    }
    this.runs = List.copyOf(runs);
    this.smoothing = smoothing;
  }

  /**
   * @param run a run's position in the list
   * @return its colour in every chart
   */
  public static Color color(int run) {
    return PALETTE[run % PALETTE.length];
  }

  /** What a training chart plots. */
  public enum TrainingMetric {
    /** Next-token cross-entropy. */
    TOKEN_LOSS("token loss", "next-token loss", TrainingHistory::tokenLoss),
    /** The unweighted AIA loss (logged with AIA off too). */
    AIA_LOSS("AIA loss", "AIA loss (unweighted)", TrainingHistory::aiaLoss);

    private final String label;
    private final String axis;
    private final Function<TrainingHistory, Map<Task, TrainingHistory.Series>> series;

    TrainingMetric(String label, String axis, Function<TrainingHistory, Map<Task, TrainingHistory.Series>> series) {
      this.label = label;
      this.axis = axis;
      this.series = series;
    }

    /** @return the short label used in titles and ids */
    public String label() {
      return label;
    }
  }

  /**
   * The paper's Figure 1 analogue: {@code I_l} against layer for one task, one line per run, each
   * run's stage targets as a dashed step line with a dotted {@code T +- delta} band.
   *
   * @return the chart, empty if no run has a curve for {@code task}
   */
  public Optional<RenderedChart> interaction(Task task) {
    String title = "Interaction I_l per layer: " + taskName(task);
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
        .xAxisTitle("layer").yAxisTitle(task == Task.GENERATION ? "I_l (image -> prompt mass)"
            : "I_l (answer -> image mass)").build();
    style(chart.getStyler());
    chart.getStyler().setXAxisDecimalPattern("0");
    chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
    int maxLayers = 0;
    Set<String> distinctTargets = new LinkedHashSet<>();
    for (ReportRun run : runs) {
      LayerTargets targets = run.targets().get(task);
      if (targets != null && run.interaction().containsKey(task)) {
        distinctTargets.add(key(targets));
      }
    }
    boolean shared = distinctTargets.size() == 1;
    Set<String> drawnTargets = new LinkedHashSet<>();
    List<Runnable> pending = new ArrayList<>();
    for (int r = 0; r < runs.size(); r++) {
      ReportRun run = runs.get(r);
      LayerCurve curve = run.interaction().get(task);
      if (curve == null) {
        continue;
      }
      maxLayers = Math.max(maxLayers, curve.layers());
      double[] x = new double[curve.layers()];
      for (int l = 0; l < x.length; l++) {
        x[l] = l;
      }
      XYSeries series = chart.addSeries(run.name(), x, curve.mean());
      series.setLineColor(color(r)).setLineWidth(2.2f);
      series.setMarker(SeriesMarkers.CIRCLE).setMarkerColor(color(r));
      LayerTargets targets = run.targets().get(task);
      if (targets != null && drawnTargets.add(key(targets))) {
        String label = shared ? "all runs" : run.name();
        Color targetColor = shared ? TARGET_GREY : color(r);
        pending.add(() -> addTargets(chart, label, targets, targetColor));
      }
    }
    pending.forEach(Runnable::run); // after the curves, so the legend lists the runs first
    if (maxLayers == 0) {
      return Optional.empty();
    }
    chart.getStyler().setXAxisMin(-0.5).setXAxisMax(maxLayers - 0.5);
    if (maxLayers <= 12) {
      chart.getStyler().setXAxisMaxLabelCount(maxLayers);
    }
    return Optional.of(render("interaction-" + task.shortName(), title, chart));
  }

  /**
   * UniFork's modality-alignment analysis: the mutual k-NN score of image and text hidden states
   * against layer for one task, one line per run ({@code aia align} files).
   *
   * @return the chart, empty if no run has an alignment curve for {@code task}
   */
  public Optional<RenderedChart> alignment(Task task) {
    String title = "Modality alignment per layer: " + taskName(task);
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
        .xAxisTitle("layer").yAxisTitle("mutual k-NN (image vs text)").build();
    style(chart.getStyler());
    chart.getStyler().setXAxisDecimalPattern("0");
    chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
    int maxLayers = 0;
    for (int r = 0; r < runs.size(); r++) {
      LayerCurve curve = runs.get(r).alignment().get(task);
      if (curve == null) {
        continue;
      }
      maxLayers = Math.max(maxLayers, curve.layers());
      double[] x = new double[curve.layers()];
      for (int l = 0; l < x.length; l++) {
        x[l] = l;
      }
      XYSeries series = chart.addSeries(runs.get(r).name(), x, curve.mean());
      series.setLineColor(color(r)).setLineWidth(2.2f);
      series.setMarker(SeriesMarkers.DIAMOND).setMarkerColor(color(r));
    }
    if (maxLayers == 0) {
      return Optional.empty();
    }
    chart.getStyler().setXAxisMin(-0.5).setXAxisMax(maxLayers - 0.5);
    if (maxLayers <= 12) {
      chart.getStyler().setXAxisMaxLabelCount(maxLayers);
    }
    return Optional.of(render("alignment-" + task.shortName(), title, chart));
  }

  private static String key(LayerTargets targets) {
    return java.util.Arrays.toString(targets.target()) + java.util.Arrays.toString(targets.delta());
  }

  private static void addTargets(XYChart chart, String runName, LayerTargets targets, Color color) {
    double[] target = targets.target();
    double[] delta = targets.delta();
    int n = target.length;
    double[] x = new double[2 * n];
    double[] t = new double[2 * n];
    double[] low = new double[2 * n];
    double[] high = new double[2 * n];
    for (int l = 0; l < n; l++) {
      x[2 * l] = l - 0.5;
      x[2 * l + 1] = l + 0.5;
      t[2 * l] = t[2 * l + 1] = target[l];
      low[2 * l] = low[2 * l + 1] = Math.max(0, target[l] - delta[l]);
      high[2 * l] = high[2 * l + 1] = Math.min(1, target[l] + delta[l]);
    }
    Color faint = new Color(color.getRed(), color.getGreen(), color.getBlue(), 110);
    XYSeries step = chart.addSeries("targets T_l (" + runName + ")", x, t);
    step.setLineColor(color).setLineStyle(SeriesLines.DASH_DASH).setLineWidth(1.6f);
    step.setMarker(SeriesMarkers.NONE);
    XYSeries band = chart.addSeries("T_l \u00b1 \u03b4_l (" + runName + ")", x, high);
    band.setLineColor(faint).setLineStyle(SeriesLines.DOT_DOT).setLineWidth(1.0f);
    band.setMarker(SeriesMarkers.NONE);
    XYSeries bandLow = chart.addSeries("T_l \u2212 \u03b4_l (" + runName + ")", x, low);
    bandLow.setLineColor(faint).setLineStyle(SeriesLines.DOT_DOT).setLineWidth(1.0f);
    bandLow.setMarker(SeriesMarkers.NONE);
    bandLow.setShowInLegend(false);
  }

  /**
   * A training curve against step for one task: per run the raw values, faint, and their
   * centred moving average.
   *
   * @return the chart, empty if no run logged {@code metric} for {@code task}
   */
  public Optional<RenderedChart> training(TrainingMetric metric, Task task) {
    String title = capitalise(metric.label) + ": " + taskName(task);
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
        .xAxisTitle("step").yAxisTitle(metric.axis).build();
    style(chart.getStyler());
    chart.getStyler().setXAxisDecimalPattern("#,##0");
    chart.getStyler().setYAxisDecimalPattern("0.0##");
    chart.getStyler().setXAxisTickMarkSpacingHint(90);
    boolean any = false;
    for (int r = 0; r < runs.size(); r++) {
      ReportRun run = runs.get(r);
      TrainingHistory.Series series = run.training() == null ? null : metric.series.apply(run.training()).get(task);
      if (series == null || series.size() == 0) {
        continue;
      }
      any = true;
      Color c = color(r);
      if (series.size() > 1) {
        XYSeries raw = chart.addSeries(run.name() + " (raw)", series.steps(), series.values());
        raw.setLineColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 60)).setLineWidth(1.0f);
        raw.setMarker(SeriesMarkers.NONE);
        raw.setShowInLegend(false);
      }
      TrainingHistory.Series smooth = series.smoothed(smoothing);
      XYSeries line = chart.addSeries(run.name(), smooth.steps(), smooth.values());
      line.setLineColor(c).setLineWidth(2.2f);
      line.setMarker(series.size() == 1 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE).setMarkerColor(c);
    }
    if (!any) {
      return Optional.empty();
    }
    // XChart 3.8.8 puts a tick label on every data value when all x values are equally spaced (one
    // step apart: unreadable at 500 steps). A hidden point half a step before step 1 breaks that
    // spacing, so it chooses round ticks (0, 500, 1,000, ...) as for any numeric axis.
    XYSeries anchor = chart.addSeries(" axis anchor", new double[] {0.5}, new double[] {firstValue(chart)});
    anchor.setEnabled(false);
    anchor.setShowInLegend(false);
    chart.getStyler().setXAxisMin(0.0);
    String id = "training-" + metric.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + "-"
        + task.shortName();
    return Optional.of(render(id, title, chart));
  }

  /** A finite y value the chart already shows, so that a hidden point does not widen the y axis. */
  private static double firstValue(XYChart chart) {
    for (XYSeries series : chart.getSeriesMap().values()) {
      for (double y : series.getYData()) {
        if (Double.isFinite(y)) {
          return y;
        }
      }
    }
    return 0;
  }

  /** @return GenEval-style overall and per-tag accuracy, grouped by run; empty if no run has it */
  public Optional<RenderedChart> geneval() {
    return bars("geneval", "GenEval-style accuracy per tag", "overall", ReportRun::geneval);
  }

  /** @return MMBench-style circular accuracy, overall and per category; empty if no run has it */
  public Optional<RenderedChart> mmbench() {
    return bars("mmbench", "MMBench-style CircularEval accuracy per category", "overall (circular)",
        ReportRun::mmbench);
  }

  private Optional<RenderedChart> bars(String id, String title, String overallLabel,
      Function<ReportRun, BenchmarkScores> scores) {
    Set<String> categories = new LinkedHashSet<>();
    categories.add(overallLabel);
    boolean any = false;
    for (ReportRun run : runs) {
      BenchmarkScores s = scores.apply(run);
      if (s != null) {
        any = true;
        categories.addAll(s.parts().keySet());
      }
    }
    if (!any) {
      return Optional.empty();
    }
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
        .yAxisTitle("accuracy").build();
    style(chart.getStyler());
    chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
    chart.getStyler().setXAxisLabelRotation(categories.size() > 4 ? 25 : 0);
    chart.getStyler().setAvailableSpaceFill(0.8);
    chart.getStyler().setPlotGridVerticalLinesVisible(false);
    List<String> labels = categories.stream().map(c -> c.replace('_', ' ')).toList();
    List<Color> colors = new ArrayList<>();
    for (int r = 0; r < runs.size(); r++) {
      BenchmarkScores s = scores.apply(runs.get(r));
      if (s == null) {
        continue;
      }
      Map<String, Double> values = new LinkedHashMap<>();
      for (String category : categories) {
        values.put(category, category.equals(overallLabel) ? s.overall() : s.parts().getOrDefault(category, 0.0));
      }
      chart.addSeries(runs.get(r).name(), labels, new ArrayList<>(values.values()));
      colors.add(color(r));
    }
    chart.getStyler().setSeriesColors(colors.toArray(Color[]::new));
    return Optional.of(render(id, title, chart));
  }

  private static void style(AxesChartStyler styler) {
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotBackgroundColor(Color.WHITE);
    styler.setPlotBorderColor(new Color(0xbbbbbb));
    styler.setPlotGridLinesColor(new Color(0xe6e6e6));
    styler.setPlotGridLinesStroke(new BasicStroke(1f));
    styler.setLegendPosition(Styler.LegendPosition.OutsideS);
    styler.setLegendLayout(Styler.LegendLayout.Horizontal);
    styler.setLegendBorderColor(Color.WHITE);
    styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    styler.setChartTitleBoxVisible(false);
    styler.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    styler.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    styler.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    styler.setMarkerSize(7);
    styler.setAntiAlias(true);
  }

  private static RenderedChart render(String id, String title, Chart<?, ?> chart) {
    try {
      byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
      return new RenderedChart(id, title, png, chart.getWidth(), chart.getHeight());
    } catch (IOException e) {
      throw new UncheckedIOException("could not render chart " + id, e);
    }
  }

  static String taskName(Task task) {
    return task == Task.GENERATION ? "generation (gen)" : "understanding (und)";
  }

  private static String capitalise(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
