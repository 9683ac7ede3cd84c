package org.aia4j.evaluation.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.aia4j.api.io.AtomicFiles;
import org.aia4j.api.model.Task;

/**
 * {@code aia report}: loads the inputs ({@link RunLoader}), renders the charts ({@link
 * ReportCharts}) and the page ({@link ReportPage}), and writes it atomically, so a reader never
 * opens a half-written report.
 */
public final class ReportWriter {
  private final ReportOptions options;

  /** @param options what the report shows */
  public ReportWriter(ReportOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  /**
   * What was written.
   *
   * @param out the HTML file
   * @param runs the runs shown
   * @param charts the number of charts
   * @param images the number of generated images in the grid
   * @param notes every run's notes, prefixed with its name
   * @param bytes the page's size
   */
  public record Result(Path out, List<ReportRun> runs, int charts, int images, List<String> notes, long bytes) {}

  /**
   * Writes the report of {@code inputs} to {@code out}.
   *
   * @param inputs eval run directories and {@code aia profile} files
   * @param out the HTML file to write
   * @throws IOException naming the input or file at fault
   */
  public Result write(List<Path> inputs, Path out) throws IOException {
    List<ReportRun> runs = new RunLoader(options.prompts()).loadAll(inputs);
    ReportPage.Content content = content(runs);
    String html = new ReportPage(options).render(content);
    AtomicFiles.writeString(out, html);
    List<String> notes = new ArrayList<>();
    runs.forEach(r -> r.notes().forEach(n -> notes.add(r.name() + ": " + n)));
    int images = runs.stream().flatMap(r -> r.gallery().stream()).mapToInt(p -> p.samples().size()).sum();
    int charts = content.interaction().size() + content.training().size() + content.benchmarks().size();
    return new Result(out, runs, charts, images, notes, html.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
  }

  /** Renders every chart the runs have data for, and the table. */
  public ReportPage.Content content(List<ReportRun> runs) {
    ReportCharts charts = new ReportCharts(runs, options.smoothing());
    List<RenderedChart> interaction = new ArrayList<>();
    List<RenderedChart> training = new ArrayList<>();
    List<RenderedChart> benchmarks = new ArrayList<>();
    for (Task task : List.of(Task.UNDERSTANDING, Task.GENERATION)) {
      charts.interaction(task).ifPresent(interaction::add);
      charts.alignment(task).ifPresent(interaction::add); // beside the task's interaction curve
    }
    for (ReportCharts.TrainingMetric metric : ReportCharts.TrainingMetric.values()) {
      for (Task task : List.of(Task.UNDERSTANDING, Task.GENERATION)) {
        charts.training(metric, task).ifPresent(training::add);
      }
    }
    charts.geneval().ifPresent(benchmarks::add);
    charts.mmbench().ifPresent(benchmarks::add);
    return new ReportPage.Content(runs, interaction, training, benchmarks, ComparisonTable.of(runs, options.tail()));
  }
}
