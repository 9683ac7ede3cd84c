package org.aia4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code aia} commands run in-process, as a user types them. */
class CliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  record Run(int exit, String out, String err) {}

  static Run aia(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = AiaCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void genevalDataRenderAndScoreGiveOracleOverallOne() throws Exception {
    Path metadata = tmp.resolve("evaluation_metadata.jsonl");
    assertThat(aia("data", "geneval", "--out", metadata.toString()).exit()).isZero();
    assertThat(Files.readAllLines(metadata)).hasSize(216);

    Run render = aia("render", "--metadata", metadata.toString(), "--out", tmp.resolve("images").toString(),
        "--samples", "1", "--size", "64");
    assertThat(render.exit()).as(render.err()).isZero();
    assertThat(tmp.resolve("images/00000/samples/0000.png")).exists();

    Run score = aia("score", "geneval", "--images", tmp.resolve("images").toString(), "--out", tmp.resolve("score").toString());
    assertThat(score.exit()).as(score.err()).isZero();
    JsonNode summary = JSON.readTree(tmp.resolve("score/summary.json").toFile());
    assertThat(summary.get("overall").asDouble()).isEqualTo(1.0);
    assertThat(summary.get("images").asInt()).isEqualTo(216);
    assertThat(summary.get("tasks").size()).isEqualTo(6);
    assertThat(score.out()).contains("overall 1.0000");
  }

  @Test
  void mmbenchDataAndScoreFromAPredictionsFile() throws Exception {
    Path tsv = tmp.resolve("mmbench.tsv");
    Run data = aia("data", "mmbench", "--out", tsv.toString(), "--questions", "20", "--seed", "9");
    assertThat(data.exit()).as(data.err()).isZero();
    List<String> lines = Files.readAllLines(tsv);
    List<String> header = List.of(lines.get(0).split("\t"));
    int index = header.indexOf("index");
    int answer = header.indexOf("answer");
    List<String> truth = new ArrayList<>();
    List<String> alwaysA = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split("\t");
      truth.add(cells[index] + "\t" + cells[answer]);
      alwaysA.add(cells[index] + "\tA");
    }
    Files.write(tmp.resolve("truth.tsv"), truth);
    Files.write(tmp.resolve("a.tsv"), alwaysA);

    assertThat(aia("score", "mmbench", "--data", tsv.toString(), "--predictions", tmp.resolve("truth.tsv").toString(),
        "--out", tmp.resolve("truth").toString()).exit()).isZero();
    assertThat(aia("score", "mmbench", "--data", tsv.toString(), "--predictions", tmp.resolve("a.tsv").toString(),
        "--out", tmp.resolve("a").toString()).exit()).isZero();

    assertThat(JSON.readTree(tmp.resolve("truth/summary.json").toFile()).get("overall").asDouble()).isEqualTo(1.0);
    JsonNode a = JSON.readTree(tmp.resolve("a/summary.json").toFile());
    assertThat(a.get("overall").asDouble()).isLessThanOrEqualTo(0.30);
    assertThat(a.get("vanilla").asDouble()).isGreaterThan(a.get("overall").asDouble());
  }

  @Test
  void badInputGetsOneClearLineAndWritesNothing() throws Exception {
    Path metadata = tmp.resolve("bad.jsonl");
    Files.writeString(metadata, "{\"tag\": \"single_object\", \"include\": [{\"class\": \"circle\", \"count\": 1}], \"prompt\": \"a photo of a circle\"}\n{not json\n");
    Run render = aia("render", "--metadata", metadata.toString(), "--out", tmp.resolve("out").toString());
    assertThat(render.exit()).isEqualTo(1);
    assertThat(render.err()).contains("line 2").doesNotContain("\tat ");
    assertThat(tmp.resolve("out")).doesNotExist();

    Run missing = aia("score", "geneval", "--images", tmp.resolve("nowhere").toString(), "--out", tmp.resolve("s").toString());
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).contains("nowhere");
    assertThat(tmp.resolve("s/summary.json")).doesNotExist();

    Run usage = aia("score", "mmbench", "--data", "x.tsv");
    assertThat(usage.exit()).isEqualTo(2);
    assertThat(usage.err()).contains("Missing required options");

    Run size = aia("data", "mmbench", "--out", tmp.resolve("m.tsv").toString(), "--size", "40");
    assertThat(size.exit()).isEqualTo(1);
    assertThat(size.err()).contains("multiple of 4");
  }

  @Test
  void quickstartSelfCheckRunsEndToEnd() throws Exception {
    Run run = aia("quickstart", "--out", tmp.resolve("qs").toString(), "--samples", "1");
    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode check = JSON.readTree(tmp.resolve("qs/self-check.json").toFile());
    assertThat(check.get("geneval_oracle_overall").asDouble()).isEqualTo(1.0);
    assertThat(check.get("mmbench_truth_circular").asDouble()).isEqualTo(1.0);
    assertThat(check.get("mmbench_always_a_circular").asDouble()).isLessThanOrEqualTo(0.30);
    // A second run replaces its own outputs rather than failing on them.
    assertThat(aia("quickstart", "--out", tmp.resolve("qs").toString(), "--samples", "1").exit()).isZero();
  }

  @Test
  void targetsTurnsExpertProfilesIntoASchedule() throws Exception {
    Files.writeString(tmp.resolve("und.json"),
        "{\"task\": \"und\", \"samples\": 8, \"mean\": [0.5, 0.6, 0.7, 0.8], \"std\": [0.1, 0.1, 0.1, 0.1]}");
    Files.writeString(tmp.resolve("gen.json"),
        "{\"task\": \"gen\", \"samples\": 8, \"mean\": [0.4, 0.2, 0.2, 0.2], \"std\": [0, 0, 0, 0]}");
    Run run = aia("targets", "--und", tmp.resolve("und.json").toString(), "--gen", tmp.resolve("gen.json").toString(),
        "--stages", "2", "--out", tmp.resolve("schedule.json").toString());
    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode schedule = JSON.readTree(tmp.resolve("schedule.json").toFile());
    assertThat(schedule.get("mode").asText()).isEqualTo("relative");
    assertThat(schedule.at("/understanding/stages/1/target").asDouble()).isCloseTo(0.75, org.assertj.core.data.Offset.offset(1e-9));

    Run swapped = aia("targets", "--und", tmp.resolve("gen.json").toString(), "--gen", tmp.resolve("und.json").toString(),
        "--out", tmp.resolve("bad.json").toString());
    assertThat(swapped.exit()).isEqualTo(1);
    assertThat(swapped.err()).contains("is a gen profile, but a und profile is needed");
    assertThat(tmp.resolve("bad.json")).doesNotExist();
  }

  @Test
  void providersListsTheRegisteredBenchmarks() {
    Run run = aia("providers");
    assertThat(run.exit()).isZero();
    assertThat(run.out()).contains("geneval").contains("mmbench").contains("aia4j.benchmark");
  }
}
