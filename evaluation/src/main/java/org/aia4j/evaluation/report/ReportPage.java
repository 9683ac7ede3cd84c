package org.aia4j.evaluation.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.aia4j.api.model.Task;

/**
 * The report as one self-contained HTML page: inline CSS, images as {@code data:} URIs, no
 * script. Sections: runs and notes, the comparison table, interaction curves against targets
 * (the paper's Figure 1 analogue), training curves, benchmark bars, the generated images beside
 * their prompts, and each run's provenance.
 */
public final class ReportPage {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String CSS = """
      body{font:15px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#222;margin:0;background:#fafafa}
      main{max-width:1340px;margin:0 auto;padding:24px 32px 48px;background:#fff}
      h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:36px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
      .sub{color:#666;margin:0 0 16px}
      .swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;vertical-align:-1px}
      ul.runs{list-style:none;padding:0;margin:8px 0}ul.runs li{margin:2px 0}
      code{font:13px ui-monospace,Menlo,Consolas,monospace;color:#555}
      .notes{background:#fff8e1;border:1px solid #f0d98c;border-radius:4px;padding:8px 14px;margin:12px 0;font-size:13px}
      .notes ul{margin:4px 0;padding-left:20px}
      .charts{display:flex;flex-wrap:wrap;gap:12px}
      figure{margin:0}figcaption{font-size:13px;color:#555;max-width:640px;margin-top:2px}
      img.chart{display:block;border:1px solid #eee}
      table.cmp{border-collapse:collapse;font-size:14px;margin-top:8px}
      table.cmp th,table.cmp td{padding:4px 12px;border-bottom:1px solid #eee;text-align:right}
      table.cmp th:first-child,table.cmp td:first-child{text-align:left}
      table.cmp tr.section td{text-align:left;font-weight:600;background:#f4f4f4;color:#444}
      table.cmp td.best{font-weight:700}
      table.grid{border-collapse:collapse}table.grid td,table.grid th{vertical-align:top;padding:6px 10px;border-bottom:1px solid #eee;text-align:left}
      .prompt{max-width:260px}.tag{font-size:12px;color:#777}
      .samples{display:flex;gap:6px;flex-wrap:wrap}
      img.sample{image-rendering:pixelated;image-rendering:crisp-edges;border:3px solid #bbb;display:block}
      img.sample.correct{border-color:#2ca02c}img.sample.wrong{border-color:#d62728}img.sample.unknown{border-style:dashed}
      .legend{font-size:13px;color:#555}
      details{margin:6px 0;border:1px solid #e4e4e4;border-radius:4px;padding:6px 12px}
      summary{cursor:pointer;font-weight:600}
      pre{font:12px/1.35 ui-monospace,Menlo,Consolas,monospace;background:#f7f7f7;padding:8px;overflow:auto;max-height:480px}
      """;

  private final ReportOptions options;

  /** @param options the title and what the grid and table show */
  public ReportPage(ReportOptions options) {
    this.options = options;
  }

  /** What the page was built from. */
  public record Content(List<ReportRun> runs, List<RenderedChart> interaction, List<RenderedChart> training,
      List<RenderedChart> benchmarks, ComparisonTable table) {}

  /**
   * Renders the page.
   *
   * @param content the runs, their charts and table
   * @return the HTML text
   */
  public String render(Content content) {
    List<ReportRun> runs = content.runs();
    StringBuilder html = new StringBuilder(1 << 16);
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>").append(esc(options.title())).append("</title>\n<style>\n").append(CSS)
        .append("</style>\n</head>\n<body>\n<main>\n");
    html.append("<h1>").append(esc(options.title())).append("</h1>\n");
    html.append("<p class=\"sub\">").append(runs.size()).append(runs.size() == 1 ? " run" : " runs")
        .append(", compared on the AIA interaction statistic, training curves and the ").append(esc(worlds(runs)))
        .append(" GenEval-style and MMBench-style suites.</p>\n");
    runList(html, runs);
    notes(html, runs);

    html.append("<h2 id=\"interaction\">Interaction I<sub>l</sub> per layer against the stage targets</h2>\n");
    charts(html, content.interaction(), "Solid: the measured per-layer mass I_l (mean over samples) of each run."
        + " Dashed steps: the run's stage targets T_l from its AIA schedule; dotted: T_l \u00b1 \u03b4_l (the"
        + " Huber threshold). Runs trained without AIA show their schedule's targets for reference."
        + (content.interaction().stream().anyMatch(c -> c.id().startsWith("alignment"))
            ? " Modality alignment (aia align): per layer, the mutual k-NN overlap of the samples' pooled image-token"
                + " and text-token hidden states (1 = the same neighbours, about k/N = unrelated)." : ""),
        "No run has an interaction curve.");
    spreadTable(html, runs);

    html.append("<h2 id=\"comparison\">").append(runs.size() > 1 ? "Side by side" : "Summary").append("</h2>\n");
    table(html, content.table(), runs.size() > 1);

    html.append("<h2 id=\"training\">Training curves</h2>\n");
    charts(html, content.training(), "Faint: raw logged values; solid: centred moving average over "
        + options.smoothing() + " logged steps. The AIA loss is unweighted and logged with AIA off too.",
        "No run's checkpoint metrics were found.");

    html.append("<h2 id=\"benchmarks\">Benchmarks</h2>\n");
    charts(html, content.benchmarks(), "Accuracy on the " + worlds(runs) + " suites, grouped by run.",
        "No run has GenEval-style or MMBench-style scores.");

    gallery(html, runs);
    provenance(html, runs);
    html.append("</main>\n</body>\n</html>\n");
    return html.toString();
  }

  /** "shapes world's", "fashion world's" or "shapes and fashion worlds'": the worlds the runs were scored in. */
  private static String worlds(List<ReportRun> runs) {
    List<String> names = runs.stream().map(r -> r.settings() == null ? "" : r.settings().path("world").asText(""))
        .map(w -> w.isEmpty() ? "shapes" : w).distinct().toList();
    return names.size() == 1 ? names.get(0) + " world's" : String.join(" and ", names) + " worlds'";
  }

  private static void runList(StringBuilder html, List<ReportRun> runs) {
    html.append("<ul class=\"runs\">\n");
    for (int r = 0; r < runs.size(); r++) {
      ReportRun run = runs.get(r);
      html.append("<li>").append(swatch(r)).append("<b>").append(esc(run.name())).append("</b> ")
          .append(run.kind() == ReportRun.Kind.PROFILE ? "(profile) " : "")
          .append("<code>").append(esc(run.source().toString())).append("</code></li>\n");
    }
    html.append("</ul>\n");
  }

  /**
   * The paper's Table 1: per run, task and layer, {@code I_l} as mean +- its standard deviation
   * over samples. The batch-mean AIA loss leaves that spread free; the per-sample one pulls it in.
   */
  private static void spreadTable(StringBuilder html, List<ReportRun> runs) {
    int layers = 0;
    for (ReportRun run : runs) {
      for (LayerCurve curve : run.interaction().values()) {
        layers = Math.max(layers, curve.layers());
      }
    }
    if (layers == 0) {
      return;
    }
    html.append("<p>I<sub>l</sub> per layer as mean \u00b1 standard deviation over samples (the spread the paper's "
        + "Table 1 reports):</p>\n<table>\n<tr><th>run</th><th>task</th>");
    for (int l = 0; l < layers; l++) {
      html.append("<th>layer ").append(l).append("</th>");
    }
    html.append("</tr>\n");
    for (ReportRun run : runs) {
      for (Map.Entry<Task, LayerCurve> entry : run.interaction().entrySet()) {
        LayerCurve curve = entry.getValue();
        html.append("<tr><td>").append(esc(run.name())).append("</td><td>").append(entry.getKey().shortName())
            .append("</td>");
        for (int l = 0; l < layers; l++) {
          html.append("<td>").append(l < curve.layers()
              ? String.format(Locale.ROOT, "%.3f \u00b1 %.3f", curve.mean()[l], curve.std()[l]) : "").append("</td>");
        }
        html.append("</tr>\n");
      }
    }
    html.append("</table>\n");
  }

  private static void notes(StringBuilder html, List<ReportRun> runs) {
    if (runs.stream().allMatch(r -> r.notes().isEmpty())) {
      return;
    }
    html.append("<div class=\"notes\"><b>Notes</b>\n<ul>\n");
    for (ReportRun run : runs) {
      for (String note : run.notes()) {
        html.append("<li><b>").append(esc(run.name())).append("</b>: ").append(esc(note)).append("</li>\n");
      }
    }
    html.append("</ul></div>\n");
  }

  private static void table(StringBuilder html, ComparisonTable table, boolean markBest) {
    html.append("<table class=\"cmp\">\n<thead><tr><th></th>");
    for (int r = 0; r < table.runs().size(); r++) {
      html.append("<th>").append(swatch(r)).append(esc(table.runs().get(r))).append("</th>");
    }
    html.append("</tr></thead>\n<tbody>\n");
    String section = null;
    for (ComparisonTable.Row row : table.rows()) {
      if (!row.section().equals(section)) {
        section = row.section();
        html.append("<tr class=\"section\"><td colspan=\"").append(table.runs().size() + 1).append("\">")
            .append(esc(section)).append("</td></tr>\n");
      }
      Set<Integer> best = markBest ? row.best() : Set.of();
      html.append("<tr><td>").append(esc(row.label()))
          .append(row.better() == ComparisonTable.Better.HIGHER ? " \u2191"
              : row.better() == ComparisonTable.Better.LOWER ? " \u2193" : "")
          .append("</td>");
      for (int i = 0; i < row.cells().size(); i++) {
        html.append(best.contains(i) ? "<td class=\"best\"><b>" : "<td>").append(esc(row.cells().get(i).text()))
            .append(best.contains(i) ? "</b></td>" : "</td>");
      }
      html.append("</tr>\n");
    }
    html.append("</tbody></table>\n");
    if (markBest) {
      html.append("<p class=\"legend\">\u2191 higher is better, \u2193 lower is better; the best value of a row"
          + " is in bold.</p>\n");
    }
  }

  private static void charts(StringBuilder html, List<RenderedChart> charts, String caption, String none) {
    if (charts.isEmpty()) {
      html.append("<p class=\"legend\">").append(esc(none)).append("</p>\n");
      return;
    }
    html.append("<div class=\"charts\">\n");
    for (RenderedChart chart : charts) {
      html.append("<figure><img class=\"chart\" id=\"").append(esc(chart.id())).append("\" alt=\"")
          .append(esc(chart.title())).append("\" width=\"").append(chart.width()).append("\" height=\"")
          .append(chart.height()).append("\" src=\"").append(dataUri(chart.png())).append("\"></figure>\n");
    }
    html.append("</div>\n<p class=\"legend\">").append(esc(caption)).append("</p>\n");
  }

  private void gallery(StringBuilder html, List<ReportRun> runs) {
    List<ReportRun> withImages = runs.stream().filter(r -> !r.gallery().isEmpty()).toList();
    if (withImages.isEmpty()) {
      return;
    }

    String legend = "<p class=\"legend\">Every sample of each prompt, enlarged without smoothing. Border: "
        + "<span style=\"color:#2ca02c\">green</span> = the GenEval-style scorer accepted the image,"
        + " <span style=\"color:#d62728\">red</span> = rejected, grey dashed = no verdict.</p>\n";
    Map<Integer, String[]> prompts = new LinkedHashMap<>();
    for (ReportRun run : withImages) {
      for (SampleGallery.Prompt p : run.gallery()) {
        prompts.putIfAbsent(p.index(), new String[] {p.tag(), p.prompt()});
      }
    }
    html.append("<h2 id=\"images\">Generated images (first ").append(prompts.size())
        .append(prompts.size() == 1 ? " prompt" : " prompts").append(")</h2>\n").append(legend);
    html.append("<table class=\"grid\">\n<thead><tr><th>prompt</th>");
    for (ReportRun run : withImages) {
      html.append("<th>").append(swatch(runs.indexOf(run))).append(esc(run.name())).append("</th>");
    }
    html.append("</tr></thead>\n<tbody>\n");
    for (Map.Entry<Integer, String[]> prompt : prompts.entrySet()) {
      html.append("<tr><td class=\"prompt\"><span class=\"tag\">#").append(prompt.getKey()).append(" \u00b7 ")
          .append(esc(prompt.getValue()[0])).append("</span><br>").append(esc(prompt.getValue()[1])).append("</td>");
      for (ReportRun run : withImages) {
        html.append("<td><div class=\"samples\">");
        Optional<SampleGallery.Prompt> own = run.gallery().stream()
            .filter(p -> p.index() == prompt.getKey()).findFirst();
        if (own.isPresent() && !own.get().prompt().isEmpty() && !own.get().prompt().equals(prompt.getValue()[1])) {
          html.append("<span class=\"tag\">own prompt: ").append(esc(own.get().prompt())).append("</span>");
        }
        for (SampleGallery.Sample sample : own.map(SampleGallery.Prompt::samples).orElse(List.of())) {
          int scale = Math.max(1, 96 / Math.max(sample.width(), 1));
          String verdict = sample.correct() == null ? "unknown" : sample.correct() ? "correct" : "wrong";
          html.append("<img class=\"sample ").append(verdict).append("\" title=\"").append(esc(sample.name()))
              .append(": ").append(verdict).append("\" alt=\"").append(esc(sample.name())).append("\" width=\"")
              .append(sample.width() * scale).append("\" height=\"").append(sample.height() * scale)
              .append("\" src=\"").append(dataUri(sample.png())).append("\">");
        }
        html.append("</div></td>");
      }
      html.append("</tr>\n");
    }
    html.append("</tbody></table>\n");
  }

  private static void provenance(StringBuilder html, List<ReportRun> runs) {
    html.append("<h2 id=\"provenance\">Provenance</h2>\n");
    for (int r = 0; r < runs.size(); r++) {
      ReportRun run = runs.get(r);
      html.append("<details><summary>").append(swatch(r)).append(esc(run.name())).append(" \u2014 <code>")
          .append(esc(run.source().toString())).append("</code></summary>\n");
      List<String[]> parts = new ArrayList<>();
      if (run.settings() != null) {
        parts.add(new String[] {"Evaluation settings", pretty(run.settings())});
      }
      if (run.config() != null) {
        parts.add(new String[] {"Checkpoint config" + (run.checkpointStep() == null ? ""
            : " (step " + run.checkpointStep() + ")"), pretty(run.config())});
      }
      for (Map.Entry<Task, LayerCurve> curve : run.interaction().entrySet()) {
        parts.add(new String[] {"I_l " + curve.getKey().shortName() + " (" + curve.getValue().origin() + ")",
            java.util.Arrays.toString(curve.getValue().mean())});
      }
      if (parts.isEmpty()) {
        html.append("<p class=\"legend\">No settings or checkpoint config recorded.</p>\n");
      }
      for (String[] part : parts) {
        html.append("<h4>").append(esc(part[0])).append("</h4>\n<pre>").append(esc(part[1])).append("</pre>\n");
      }
      html.append("</details>\n");
    }
  }

  private static String pretty(JsonNode node) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (JsonProcessingException e) {
      return node.toString();
    }
  }

  private static String swatch(int run) {
    Color c = ReportCharts.color(run);
    return String.format("<span class=\"swatch\" style=\"background:#%02x%02x%02x\"></span>",
        c.getRed(), c.getGreen(), c.getBlue());
  }

  private static String dataUri(byte[] png) {
    return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
  }

  /** Escapes text for HTML content and attribute values. */
  static String esc(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      switch (ch) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(ch);
      }
    }
    return out.toString();
  }
}
