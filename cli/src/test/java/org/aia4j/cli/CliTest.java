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
  void trainResumeProfileAndTargetsFromTheCommandLine() throws Exception {
    Path run = tmp.resolve("run");
    Run first = aia("train", "--preset", "tiny", "--steps", "8", "--stop-after", "4", "--seed", "3", "--out", run.toString());
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out()).contains("step 4 of 8");
    Run again = aia("train", "--preset", "tiny", "--out", run.toString());
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("already holds a run: pass --resume");
    Run resumed = aia("train", "--out", run.toString(), "--resume");
    assertThat(resumed.exit()).as(resumed.err()).isZero();
    assertThat(Files.readAllLines(run.resolve("metrics.jsonl"))).hasSize(8);
    JsonNode config = JSON.readTree(run.resolve("config.json").toFile());
    assertThat(config.get("step").asInt()).isEqualTo(8);
    assertThat(config.at("/training/aia").asBoolean()).isTrue();

    for (String task : List.of("und", "gen")) {
      Run profile = aia("profile", "--checkpoint", run.toString(), "--task", task, "--samples", "16",
          "--out", tmp.resolve(task + ".json").toString());
      assertThat(profile.exit()).as(profile.err()).isZero();
      assertThat(JSON.readTree(tmp.resolve(task + ".json").toFile()).get("mean")).hasSize(2);
    }
    Run targets = aia("targets", "--und", tmp.resolve("und.json").toString(), "--gen", tmp.resolve("gen.json").toString(),
        "--stages", "2", "--out", tmp.resolve("experts.json").toString());
    assertThat(targets.exit()).as(targets.err()).isZero();
    Run withTargets = aia("train", "--preset", "tiny", "--steps", "2", "--schedule", tmp.resolve("experts.json").toString(),
        "--out", tmp.resolve("run2").toString());
    assertThat(withTargets.exit()).as(withTargets.err()).isZero();

    Run fineTune = aia("train", "--preset", "tiny", "--steps", "2", "--aia", "off", "--init", run.toString(),
        "--out", tmp.resolve("tuned").toString());
    assertThat(fineTune.exit()).as(fineTune.err()).isZero();
    JsonNode tuned = JSON.readTree(tmp.resolve("tuned/config.json").toFile());
    assertThat(tuned.get("initialized_from").asText()).contains("step 8");
    assertThat(tuned.get("step").asInt()).isEqualTo(2);
    Run wrongPreset = aia("train", "--preset", "small", "--steps", "1", "--init", run.toString(),
        "--out", tmp.resolve("wrong").toString());
    assertThat(wrongPreset.err()).contains("is a 'tiny' model; fine-tune it with --preset tiny");
  }

  @Test
  void trainRefusesBadConfigurationsWithSpecificErrors() throws Exception {
    Run preset = aia("train", "--preset", "huge", "--out", tmp.resolve("a").toString());
    assertThat(preset.exit()).isEqualTo(1);
    assertThat(preset.err()).contains("Unknown preset 'huge'. Known presets: tiny, small");
    Files.writeString(tmp.resolve("deep.json"), "{\"mode\":\"absolute\",\"layers\":30,"
        + "\"generation\":{\"stages\":[{\"from\":0,\"to\":30,\"delta\":0.1,\"target\":0.4}]},"
        + "\"understanding\":{\"stages\":[{\"from\":0,\"to\":30,\"delta\":0.1,\"target\":0.2}]}}");
    Run depth = aia("train", "--preset", "tiny", "--schedule", tmp.resolve("deep.json").toString(), "--out", tmp.resolve("b").toString());
    assertThat(depth.exit()).isEqualTo(1);
    assertThat(depth.err()).contains("schedule is for 30 layers, model has 2");
    Run missing = aia("train", "--preset", "tiny", "--schedule", tmp.resolve("none.json").toString(), "--out", tmp.resolve("c").toString());
    assertThat(missing.err()).contains("schedule file is missing").contains("none.json");
    Run resume = aia("train", "--out", tmp.resolve("nothing").toString(), "--resume");
    assertThat(resume.err()).contains("--resume needs an existing checkpoint");
    Run aiaFlag = aia("train", "--preset", "tiny", "--aia", "maybe", "--out", tmp.resolve("d").toString());
    assertThat(aiaFlag.err()).contains("--aia must be on or off");
    assertThat(tmp.resolve("b")).doesNotExist();
  }

  @Test
  void providersListsTheRegisteredBenchmarks() {
    Run run = aia("providers");
    assertThat(run.exit()).isZero();
    assertThat(run.out()).contains("geneval").contains("mmbench").contains("aia4j.benchmark");
  }
}
