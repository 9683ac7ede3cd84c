package org.aia4j.evaluation.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.aia4j.api.model.InteractionProfile;
import org.aia4j.api.model.Task;
import org.aia4j.inference.profile.AlignmentCurve;
import org.aia4j.inference.profile.AlignmentFile;
import org.aia4j.inference.profile.ProfileFile;
import org.aia4j.loss.StageSchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reports of hand-built eval runs and profiles, read back from the HTML. */
class ReportWriterTest {
  private static final Pattern CHART = Pattern.compile(
      "<img class=\"chart\" id=\"([^\"]+)\"[^>]*? width=\"(\\d+)\" height=\"(\\d+)\" src=\"data:image/png;base64,([^\"]+)\">");
  private static final Pattern SAMPLE = Pattern.compile(
      "<img class=\"sample (correct|wrong|unknown)\"[^>]*? src=\"data:image/png;base64,([^\"]+)\">");

  @TempDir
  Path tmp;

  private final ReportWriter writer = new ReportWriter(ReportOptions.DEFAULTS);

  @Test
  void twoRunsMakeOneSelfContainedPageWithEveryChartTableAndImage() throws IOException {
    Path a = FakeRuns.write(tmp, FakeRuns.withoutAia());
    Path b = FakeRuns.write(tmp, FakeRuns.withAia());
    Path out = tmp.resolve("out/report.html");

    ReportWriter.Result result = writer.write(List.of(a, b), out);
    String html = Files.readString(out);

    assertThat(html).startsWith("<!DOCTYPE html>").doesNotContain("<script", "<link", "src=\"http", "href=\"http");
    assertThat(result.notes()).isEmpty();
    assertThat(html).doesNotContain("class=\"notes\"");
    // The per-sample spread table (the paper's Table 1): every run, task and layer, mean +- sd.
    assertThat(html).contains("the spread the paper's Table 1 reports")
        .contains("<tr><td>run-noaia</td><td>und</td><td>0.550 \u00b1 0.050</td><td>0.580 \u00b1 0.050</td>")
        .contains("<td>run-aia</td><td>gen</td>");

    // One <img> per chart, each a decodable PNG of the declared size.
    Map<String, BufferedImage> charts = charts(html);
    assertThat(charts.keySet()).containsExactly("interaction-und", "interaction-gen",
        "training-token-loss-und", "training-token-loss-gen", "training-aia-loss-und", "training-aia-loss-gen",
        "geneval", "mmbench");
    assertThat(result.charts()).isEqualTo(8);
    assertThat(charts.get("interaction-und").getWidth()).isEqualTo(640);
    assertThat(charts.get("interaction-und").getHeight()).isEqualTo(400);

    // The table holds both runs' numbers, the better one in bold.
    String table = between(html, "<table class=\"cmp\">", "</table>");
    assertThat(table).contains(">run-noaia<", ">run-aia<");
    assertThat(row(table, "overall")).contains("<td>0.250</td>", "<td class=\"best\"><b>0.310</b></td>");
    assertThat(row(table, "circular")).contains("<td>0.150</td>", "<b>0.180</b>");
    assertThat(row(table, "vanilla")).contains("<td>0.450</td>", "<b>0.480</b>");
    assertThat(row(table, "AIA loss")).contains("<td>off</td>", "<td>on</td>");
    // mean |I - T| against the paper's schedule at 4 layers: run-aia is on target.
    assertThat(row(table, "mean |I_l \u2212 T_l| und")).contains("<td>0.445</td>", "<b>0.000</b>");
    assertThat(row(table, "mean |I_l \u2212 T_l| gen")).contains("<td>0.110</td>", "<b>0.000</b>");
    // Final token losses decay to 0.9 (no AIA) and 0.8 (AIA): lower is bold.
    assertThat(row(table, "token loss und")).containsPattern("<td>0\\.9\\d\\d</td>")
        .containsPattern("<b>0\\.8\\d\\d</b>");

    // The grid: every sample of every prompt of both runs, borders from results.jsonl.
    List<String> verdicts = new ArrayList<>();
    Matcher samples = SAMPLE.matcher(html);
    while (samples.find()) {
      verdicts.add(samples.group(1));
      assertThat(decode(samples.group(2)).getWidth()).isEqualTo(32);
    }
    assertThat(verdicts).hasSize(2 * FakeRuns.PROMPTS * FakeRuns.SAMPLES);
    assertThat(verdicts.stream().filter("correct"::equals)).hasSize(2 * FakeRuns.PROMPTS);
    assertThat(verdicts).doesNotContain("unknown");
    assertThat(result.images()).isEqualTo(12);
    assertThat(html).contains("a red square").contains("image-rendering:pixelated");

    // Provenance: settings and config of each run, folded.
    assertThat(html.split("<details>", -1)).hasSize(3);
    assertThat(html).contains("&quot;temperature&quot; : 1.0", "&quot;preset&quot; : &quot;tiny&quot;");
  }

  @Test
  void aMissingCheckpointOrImageIsAVisibleNoteNotACrash() throws IOException {
    Path run = FakeRuns.write(tmp, FakeRuns.withAia());
    deleteTree(tmp.resolve("checkpoints"));
    Files.delete(run.resolve("geneval/images/00001/samples/0000.png"));
    Files.write(run.resolve("geneval/images/00002/samples/0001.png"), new byte[] {1, 2, 3});
    Path out = tmp.resolve("report.html");

    ReportWriter.Result result = writer.write(List.of(run), out);
    String html = Files.readString(out);

    assertThat(charts(html).keySet()).containsExactly("interaction-und", "interaction-gen", "geneval", "mmbench");
    assertThat(html).contains("class=\"notes\"", "not found: training curves skipped",
        "sample image is missing", "00001", "skipped an unreadable sample", "No run&#39;s checkpoint metrics");
    assertThat(result.images()).isEqualTo(FakeRuns.PROMPTS * FakeRuns.SAMPLES - 2);
    // The run's config still comes from summary.json, so targets are drawn and the table has preset.
    assertThat(row(between(html, "<table class=\"cmp\">", "</table>"), "preset")).contains("tiny");
  }

  @Test
  void aDirectoryThatIsNotAnEvalRunIsNamed() throws IOException {
    Path good = FakeRuns.write(tmp, FakeRuns.withAia());
    Path notARun = Files.createDirectories(tmp.resolve("just-a-folder"));
    Path out = tmp.resolve("report.html");

    assertThatThrownBy(() -> writer.write(List.of(good, notARun), out))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(notARun.toString())
        .hasMessageContaining("not an eval run")
        .hasMessageContaining("summary.json");
    assertThat(out).doesNotExist();
    assertThatThrownBy(() -> writer.write(List.of(tmp.resolve("nowhere")), out))
        .hasMessageContaining("nowhere");
  }

  @Test
  void malformedJsonNamesTheFile() throws IOException {
    Path run = FakeRuns.write(tmp, FakeRuns.withAia());
    Path summary = run.resolve("summary.json");
    String good = Files.readString(summary);
    Files.writeString(summary, good.substring(0, good.length() / 2));
    assertThatThrownBy(() -> writer.write(List.of(run), tmp.resolve("r.html")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(summary.toString())
        .hasMessageContaining("malformed JSON");

    Files.writeString(summary, good);
    Path metrics = tmp.resolve("checkpoints/run-aia/metrics.jsonl");
    String goodMetrics = Files.readString(metrics);
    Files.writeString(metrics, "{\"step\": 1, \"ntp\": {\"und\": 1.0}}\n{\"step\": 2, \"ntp\": \n");
    assertThatThrownBy(() -> writer.write(List.of(run), tmp.resolve("r.html")))
        .hasMessageContaining(metrics + " line 2")
        .hasMessageContaining("malformed JSON");

    Files.writeString(metrics, goodMetrics);
    Files.writeString(summary, good.replace("\"overall\" : 0.31", "\"overall\" : \"high\""));
    assertThatThrownBy(() -> writer.write(List.of(run), tmp.resolve("r.html")))
        .hasMessageContaining(summary.toString()).hasMessageContaining("suites.geneval.overall");
  }

  @Test
  void aSummaryThatIsNotAnEvalSummaryIsRefusedNamingTheFile() throws IOException {
    Path run = FakeRuns.write(tmp, FakeRuns.withAia());
    Path summary = run.resolve("summary.json");
    String good = Files.readString(summary);
    // Some other tool's summary.json, in the shape aia eval wrote before it had a format field.
    Files.writeString(summary, "{\"checkpoint\": \"x\", \"geneval\": {\"overall\": 0.5, \"tasks\": {}}}");
    assertThatThrownBy(() -> writer.write(List.of(run), tmp.resolve("r.html")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(summary.toString())
        .hasMessageContaining("not an aia eval summary");

    Files.writeString(summary, good.replace("\"version\" : 1,", "\"version\" : 99,"));
    assertThatThrownBy(() -> writer.write(List.of(run), tmp.resolve("r.html")))
        .hasMessageContaining(summary.toString())
        .hasMessageContaining("version 99 is not supported");

    Files.writeString(summary, good.replace("\"settings\" :", "\"setings\" :"));
    assertThatThrownBy(() -> writer.write(List.of(run), tmp.resolve("r.html")))
        .hasMessageContaining(summary.toString())
        .hasMessageContaining("'settings'"); // a misspelt field leaves the real one missing
    assertThat(tmp.resolve("r.html")).doesNotExist();
  }

  @Test
  void profilesAloneArePlottedAgainstTheirScheduleAndMergedPerCheckpoint() throws IOException {
    Path checkpoint = tmp.resolve("gone/expert");
    Map<String, Object> source = Map.of("checkpoint", checkpoint.toString(), "step", 400,
        "schedule", StageSchedule.paperDefault().toJson());
    Path und = tmp.resolve("und.json");
    Path gen = tmp.resolve("gen.json");
    ProfileFile.write(und, new InteractionProfile(Task.UNDERSTANDING, List.of(0.2, 0.25, 0.3, 0.35),
        List.of(0.01, 0.01, 0.02, 0.02), 64), source);
    ProfileFile.write(gen, new InteractionProfile(Task.GENERATION, List.of(0.5, 0.4, 0.3, 0.2),
        List.of(0.01, 0.01, 0.02, 0.02), 64), source);

    List<ReportRun> runs = new RunLoader(0).loadAll(List.of(und, gen));
    assertThat(runs).hasSize(1);
    ReportRun run = runs.get(0);
    assertThat(run.name()).isEqualTo("expert");
    assertThat(run.kind()).isEqualTo(ReportRun.Kind.PROFILE);
    assertThat(run.targets().get(Task.UNDERSTANDING).target()).containsExactly(FakeRuns.UND_TARGETS);
    assertThat(run.targetDeviation(Task.GENERATION)).isCloseTo((0.1 + 0.0 + 0.1 + 0.0) / 4, org.assertj.core.data.Offset.offset(1e-12));

    Path out = tmp.resolve("profile.html");
    writer.write(List.of(und), out);
    String html = Files.readString(out);
    assertThat(charts(html).keySet()).containsExactly("interaction-und");
    assertThat(html).contains("(profile)", "not found: training curves skipped");
    assertThat(html).doesNotContain("class=\"sample");
  }

  @Test
  void alignmentCurvesArePlottedBesideTheInteractionCurvesOfTheirCheckpoint() throws IOException {
    Map<String, Object> source = Map.of("checkpoint", tmp.resolve("gone/unifork").toString(), "step", 40,
        "schedule", StageSchedule.paperDefault().toJson());
    Path und = tmp.resolve("und.json");
    Path align = tmp.resolve("align-und.json");
    ProfileFile.write(und, new InteractionProfile(Task.UNDERSTANDING, List.of(0.2, 0.25, 0.3, 0.35),
        List.of(0.01, 0.01, 0.02, 0.02), 64), source);
    AlignmentFile.write(align, new AlignmentCurve(Task.UNDERSTANDING, 10, 64, List.of(0.1, 0.3, 0.5, 0.4)), source);

    List<ReportRun> runs = new RunLoader(0).loadAll(List.of(und, align));
    assertThat(runs).hasSize(1);
    assertThat(runs.get(0).alignment().get(Task.UNDERSTANDING).mean()).containsExactly(0.1, 0.3, 0.5, 0.4);
    Path out = tmp.resolve("align.html");
    writer.write(List.of(und, align), out);
    String html = Files.readString(out);
    assertThat(charts(html).keySet()).containsExactly("interaction-und", "alignment-und");
    assertThat(html).contains("mutual k-NN overlap");
    assertThatThrownBy(() -> AlignmentFile.read(und)).hasMessageContaining("not an alignment file");
  }

  @Test
  void sameNamedRunsStayApartInLegends() throws IOException {
    Path a = FakeRuns.write(tmp.resolve("x"), FakeRuns.withAia());
    Path b = FakeRuns.write(tmp.resolve("y"), FakeRuns.withAia());
    List<ReportRun> runs = new RunLoader(0).loadAll(List.of(a, b));
    assertThat(runs).extracting(ReportRun::name).containsExactly("run-aia", "run-aia (2)");
  }

  // ----- helpers ------------------------------------------------------------------------------

  private static Map<String, BufferedImage> charts(String html) throws IOException {
    Map<String, BufferedImage> charts = new java.util.LinkedHashMap<>();
    Matcher m = CHART.matcher(html);
    while (m.find()) {
      BufferedImage image = decode(m.group(4));
      assertThat(image.getWidth()).as(m.group(1)).isEqualTo(Integer.parseInt(m.group(2)));
      assertThat(image.getHeight()).as(m.group(1)).isEqualTo(Integer.parseInt(m.group(3)));
      assertThat(charts.put(m.group(1), image)).as("duplicate chart " + m.group(1)).isNull();
    }
    assertThat(html.split("<img class=\"chart\"", -1)).as("every chart img matched").hasSize(charts.size() + 1);
    return charts;
  }

  private static BufferedImage decode(String base64) throws IOException {
    byte[] png = Base64.getDecoder().decode(base64);
    assertThat(png).startsWith(0x89, 'P', 'N', 'G');
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(image).isNotNull();
    return image;
  }

  private static String between(String text, String from, String to) {
    int start = text.indexOf(from);
    assertThat(start).as("missing " + from).isNotNegative();
    return text.substring(start, text.indexOf(to, start));
  }

  /** The table row whose label starts with {@code label}. */
  private static String row(String table, String label) {
    for (String row : table.split("<tr>")) {
      if (row.startsWith("<td>" + label)) {
        return row;
      }
    }
    throw new AssertionError("no row " + label + " in " + table);
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
