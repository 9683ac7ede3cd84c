package org.aia4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aia4j.evaluation.run.EvalSettings;
import org.aia4j.evaluation.run.EvalSummary;
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

  /** The main loop, tiny: world -> base -> baseline and AIA fine-tunes -> eval -> report. */
  @Test
  void quickstartRunsTheWholeLoopEndToEnd() throws Exception {
    Path out = tmp.resolve("qs");
    Run run = aia("quickstart", "--out", out.toString(), "--preset", "tiny", "--base-steps", "12", "--tune-steps", "4",
        "--limit", "4", "--samples", "1");
    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode summary = JSON.readTree(out.resolve("quickstart.json").toFile());
    assertThat(summary.get("oracle_geneval").asDouble()).isEqualTo(1.0);
    for (String arm : List.of("baseline", "aia")) {
      assertThat(summary.at("/" + arm + "/geneval").asDouble()).isBetween(0.0, 1.0);
      assertThat(summary.at("/" + arm + "/mmbench_circular").asDouble()).isBetween(0.0, 1.0);
      JsonNode config = JSON.readTree(out.resolve(arm).resolve("config.json").toFile());
      assertThat(config.get("initialized_from").asText()).contains(out.resolve("base").toString());
      assertThat(config.at("/training/aia").asBoolean()).isEqualTo(arm.equals("aia"));
      JsonNode eval = JSON.readTree(out.resolve("eval-" + arm).resolve("summary.json").toFile());
      assertThat(eval.at("/settings/backend").asText()).isEqualTo("onnx");
      assertThat(eval.at("/interaction/und/mean")).as("curves for the report").hasSize(2);
      assertThat(eval.at("/interaction/gen/mean")).hasSize(2);
      // Fine-tunes refine the base at a lower peak learning rate than the preset's.
      assertThat(config.at("/training/learningRate").asDouble()).isEqualTo(5e-4);
    }
    JsonNode baseConfig = JSON.readTree(out.resolve("base").resolve("config.json").toFile());
    assertThat(baseConfig.at("/training/learningRate").asDouble()).isEqualTo(3e-3); // the tiny preset's
    String html = Files.readString(out.resolve("report.html"));
    assertThat(html).contains("eval-baseline").contains("eval-aia").contains("data:image/png;base64,");
    assertThat(run.out()).contains("GenEval-style overall").contains("MMBench-style circular");

    // A second run reuses the finished models and only evaluates again.
    Run again = aia("quickstart", "--out", out.toString(), "--preset", "tiny", "--base-steps", "12", "--tune-steps", "4",
        "--limit", "4", "--samples", "1");
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out()).contains("reusing " + out.resolve("base")).contains("reusing " + out.resolve("aia"));

    // Another fine-tune learning rate retrains the fine-tunes, not the base.
    Run other = aia("quickstart", "--out", out.toString(), "--preset", "tiny", "--base-steps", "12", "--tune-steps", "4",
        "--tune-learning-rate", "1e-3", "--limit", "4", "--samples", "1");
    assertThat(other.exit()).as(other.err()).isZero();
    assertThat(other.out()).contains("reusing " + out.resolve("base")).doesNotContain("reusing " + out.resolve("aia"));
    assertThat(JSON.readTree(out.resolve("aia").resolve("config.json").toFile()).at("/training/learningRate").asDouble())
        .isEqualTo(1e-3);
  }

  /** The same loop on the llama family: RMSNorm, rotary, grouped-query attention, SwiGLU, on ONNX Runtime too. */
  @Test
  void quickstartRunsTheLlamaFamilyEndToEnd() throws Exception {
    Path out = tmp.resolve("qs-llama");
    Run run = aia("quickstart", "--out", out.toString(), "--preset", "tiny-llama", "--base-steps", "12", "--tune-steps",
        "4", "--limit", "4", "--samples", "1");
    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode summary = JSON.readTree(out.resolve("quickstart.json").toFile());
    for (String arm : List.of("baseline", "aia")) {
      assertThat(summary.at("/" + arm + "/geneval").asDouble()).isBetween(0.0, 1.0);
      assertThat(summary.at("/" + arm + "/mmbench_circular").asDouble()).isBetween(0.0, 1.0);
      JsonNode config = JSON.readTree(out.resolve(arm).resolve("config.json").toFile());
      assertThat(config.at("/model/architecture/family").asText()).isEqualTo("llama");
      assertThat(config.at("/model/architecture/kvHeads").asInt()).isEqualTo(2);
      JsonNode eval = JSON.readTree(out.resolve("eval-" + arm).resolve("summary.json").toFile());
      assertThat(eval.at("/settings/backend").asText()).isEqualTo("onnx");
      assertThat(eval.at("/interaction/und/mean")).hasSize(2);
    }
    assertThat(Files.readString(out.resolve("report.html"))).contains("eval-aia").contains("data:image/png;base64,");
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
      JsonNode mean = JSON.readTree(tmp.resolve(task + ".json").toFile()).get("mean");
      assertThat(mean).hasSize(2);
      // The same curve from ONNX Runtime (the checkpoint exported in memory with attention outputs).
      Run onnx = aia("profile", "--checkpoint", run.toString(), "--task", task, "--samples", "16", "--backend", "onnx",
          "--out", tmp.resolve(task + "-onnx.json").toString());
      assertThat(onnx.exit()).as(onnx.err()).isZero();
      JsonNode onnxMean = JSON.readTree(tmp.resolve(task + "-onnx.json").toFile()).get("mean");
      for (int l = 0; l < 2; l++) {
        assertThat(onnxMean.get(l).asDouble()).as("%s layer %d", task, l).isCloseTo(mean.get(l).asDouble(), within(1e-4));
      }
    }
    // The other query and key sets, on both engines: BOS out of the keys can only lower the mass,
    // and the <answer> row is a different query set.
    for (String[] variant : List.of(new String[] {"gen", "--bos-as-text", "false"},
        new String[] {"und", "--answer-queries", "answer-predictors"})) {
      String name = variant[0] + "-" + variant[1].substring(2);
      for (String backend : List.of("djl", "onnx")) {
        Run profile = aia("profile", "--checkpoint", run.toString(), "--task", variant[0], "--samples", "16",
            variant[1], variant[2], "--backend", backend, "--out", tmp.resolve(name + "-" + backend + ".json").toString());
        assertThat(profile.exit()).as(profile.err()).isZero();
      }
      JsonNode djl = JSON.readTree(tmp.resolve(name + "-djl.json").toFile());
      JsonNode onnx = JSON.readTree(tmp.resolve(name + "-onnx.json").toFile());
      JsonNode defaults = JSON.readTree(tmp.resolve(variant[0] + ".json").toFile()).get("mean");
      for (int l = 0; l < 2; l++) {
        double value = djl.at("/mean/" + l).asDouble();
        assertThat(onnx.at("/mean/" + l).asDouble()).as("%s layer %d", name, l).isCloseTo(value, within(1e-4));
        assertThat(value).as("%s layer %d against the default sets", name, l)
            .isNotCloseTo(defaults.get(l).asDouble(), within(1e-6));
        if (variant[0].equals("gen")) {
          assertThat(value).isLessThan(defaults.get(l).asDouble());
        }
      }
      assertThat(djl.at("/source/" + (variant[0].equals("gen") ? "bos_as_text" : "answer_queries")).asText())
          .isEqualTo(variant[2]);
    }
    Run badQueries = aia("profile", "--checkpoint", run.toString(), "--task", "und", "--answer-queries", "answers",
        "--out", tmp.resolve("bad-queries.json").toString());
    assertThat(badQueries.err()).contains("Unknown understanding query set 'answers'. Known: answer-tokens, answer-predictors");
    assertThat(tmp.resolve("bad-queries.json")).doesNotExist();

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
  void evalWritesTheReportLayoutForATinyCheckpoint() throws Exception {
    Path checkpoint = tmp.resolve("tiny");
    Run train = aia("train", "--preset", "tiny", "--steps", "20", "--out", checkpoint.toString());
    assertThat(train.exit()).as(train.err()).isZero();
    Path out = tmp.resolve("eval");
    Run eval = aia("eval", "--checkpoint", checkpoint.toString(), "--benchmarks", "geneval,mmbench",
        "--out", out.toString(), "--limit", "6", "--batch", "4");
    assertThat(eval.exit()).as(eval.err()).isZero();

    EvalSummary summary = EvalSummary.read(out.resolve("summary.json"));
    assertThat(summary.checkpoint().path()).isEqualTo(checkpoint.toAbsolutePath().toString());
    assertThat(summary.checkpoint().step()).isEqualTo(20L);
    assertThat(summary.checkpoint().config().path("format").asText()).isEqualTo("aia4j-checkpoint");
    EvalSettings settings = summary.settings();
    assertThat(settings.cfg()).isEqualTo(2.0);
    assertThat(settings.temperature()).isEqualTo(1.0);
    assertThat(settings.topK()).isZero();
    assertThat(settings.seed()).isZero();
    assertThat(settings.samples()).isEqualTo(4);
    assertThat(settings.batch()).isEqualTo(4);
    assertThat(settings.limit()).isEqualTo(6);
    assertThat(settings.backend()).isEqualTo("djl");
    assertThat(summary.model().backend()).isEqualTo("djl");
    // The file spells settings as the command line does.
    JsonNode file = JSON.readTree(out.resolve("summary.json").toFile());
    assertThat(file.at("/settings/top_k").isInt()).isTrue();
    assertThat(file.at("/settings/answer_temperature").isNumber()).isTrue();

    EvalSummary.SuiteResult geneval = summary.suite("geneval").orElseThrow();
    assertThat(geneval.overall()).isBetween(0.0, 1.0);
    assertThat(geneval.breakdown()).isNotEmpty();
    geneval.breakdown().values().forEach(v -> assertThat(v).isBetween(0.0, 1.0));
    assertThat(geneval.number("images")).contains(24.0);
    assertThat(out.resolve("geneval/images/00000/samples/0003.png")).exists();
    assertThat(out.resolve("geneval/images/00005/metadata.jsonl")).exists();
    assertThat(out.resolve("geneval/images/00006")).doesNotExist();
    assertThat(out.resolve("geneval/results.jsonl")).exists();
    assertThat(out.resolve("geneval/summary.json")).exists();

    EvalSummary.SuiteResult mmbench = summary.suite("mmbench").orElseThrow();
    assertThat(mmbench.overall()).isBetween(0.0, 1.0);
    assertThat(mmbench.number("vanilla").orElseThrow()).isBetween(0.0, 1.0).isGreaterThanOrEqualTo(mmbench.overall());
    assertThat(mmbench.number("questions")).contains(6.0);
    mmbench.breakdown().values().forEach(v -> assertThat(v).isBetween(0.0, 1.0));
    assertThat(out.resolve("mmbench/predictions.tsv")).exists();
    assertThat(out.resolve("mmbench/summary.json")).exists();

    for (org.aia4j.api.model.Task task : org.aia4j.api.model.Task.values()) {
      EvalSummary.Curve curve = summary.curve(task).orElseThrow();
      assertThat(curve.mean()).as(task.shortName()).hasSize(2);
      assertThat(curve.std()).hasSize(2);
      assertThat(curve.samples()).isEqualTo(128);
      curve.mean().forEach(v -> assertThat(v).isBetween(0.0, 1.0));
    }
    assertThat(summary.seconds().get("total")).isPositive();
    assertThat(summary.seconds().get("geneval")).isPositive();
    assertThat(summary.versions().java()).isEqualTo(System.getProperty("java.version"));

    Run unknown = aia("eval", "--checkpoint", checkpoint.toString(), "--benchmarks", "geneval,pope",
        "--out", tmp.resolve("e2").toString());
    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(unknown.err()).contains("Unknown benchmark 'pope'").contains("geneval, mmbench").doesNotContain("\tat ");
    assertThat(tmp.resolve("e2")).doesNotExist();

    Run notACheckpoint = aia("eval", "--checkpoint", tmp.toString(), "--out", tmp.resolve("e3").toString());
    assertThat(notACheckpoint.exit()).isEqualTo(1);
    assertThat(notACheckpoint.err()).contains("not an aia4j checkpoint").doesNotContain("\tat ");

    Path foreign = Files.createDirectories(tmp.resolve("foreign"));
    Files.writeString(foreign.resolve("config.json"), "{\"format\": \"onnx-export\"}");
    org.aia4j.api.checkpoint.Manifest.write(foreign);
    Run other = aia("eval", "--checkpoint", foreign.toString(), "--out", tmp.resolve("e4").toString());
    assertThat(other.exit()).isEqualTo(1);
    assertThat(other.err()).contains("format is 'onnx-export'");

    // The same evaluation on ONNX Runtime, from an export: the same predictions and scores.
    Path export = tmp.resolve("tiny-onnx");
    Run exported = aia("export", "--checkpoint", checkpoint.toString(), "--out", export.toString());
    assertThat(exported.exit()).as(exported.err()).isZero();
    assertThat(exported.out()).contains("model.onnx");
    assertThat(export.resolve("model.onnx")).exists();
    Path onnxOut = tmp.resolve("eval-onnx");
    Run onnx = aia("eval", "--checkpoint", export.toString(), "--backend", "onnx", "--benchmarks", "geneval,mmbench",
        "--out", onnxOut.toString(), "--limit", "6", "--batch", "4");
    assertThat(onnx.exit()).as(onnx.err()).isZero();
    EvalSummary onnxSummary = EvalSummary.read(onnxOut.resolve("summary.json"));
    assertThat(onnxSummary.settings().backend()).isEqualTo("onnx");
    assertThat(onnxSummary.model().backend()).isEqualTo("onnx");
    assertThat(onnxSummary.suite("geneval").orElseThrow().overall()).isEqualTo(geneval.overall());
    assertThat(onnxSummary.suite("mmbench").orElseThrow().overall()).isEqualTo(mmbench.overall());
    assertThat(Files.readAllLines(onnxOut.resolve("mmbench/predictions.tsv")))
        .isEqualTo(Files.readAllLines(out.resolve("mmbench/predictions.tsv")));
    assertThat(Files.readAllLines(onnxOut.resolve("geneval/results.jsonl")).stream()
        .map(line -> line.replace(onnxOut.toString(), out.toString())).toList())
        .as("the same images, judged the same").isEqualTo(Files.readAllLines(out.resolve("geneval/results.jsonl")));
    Run overwrite = aia("export", "--checkpoint", checkpoint.toString(), "--out", checkpoint.toString());
    assertThat(overwrite.exit()).isEqualTo(1);
    assertThat(overwrite.err()).contains("--out must differ from --checkpoint");
    assertThat(checkpoint.resolve("model.safetensors")).exists();

    Run backend = aia("eval", "--checkpoint", checkpoint.toString(), "--backend", "tpu", "--out", tmp.resolve("e5").toString());
    assertThat(backend.exit()).isEqualTo(1);
    assertThat(backend.err()).contains("Unknown backend 'tpu'").contains("djl");
  }

  @Test
  void providersListsTheRegisteredBenchmarks() {
    Run run = aia("providers");
    assertThat(run.exit()).isZero();
    assertThat(run.out()).contains("geneval").contains("mmbench").contains("aia4j.benchmark");
  }

  /** The load test, tiny: both modes take turns against real servers and the report is written. */
  @Test
  void benchServeMeasuresBothModesAndWritesTheReport() throws Exception {
    Path run = tmp.resolve("tiny-serve");
    assertThat(aia("train", "--preset", "tiny", "--steps", "4", "--out", run.toString()).exit()).isZero();
    Path out = tmp.resolve("bench");
    Run bench = aia("bench", "serve", "--checkpoint", run.toString(), "--clients", "3", "--seconds", "2", "--rounds",
        "2", "--warmup", "0", "--workloads", "chat", "--out", out.toString(), "--report", "serve-tiny");
    assertThat(bench.exit()).as(bench.err()).isZero();
    JsonNode json = JSON.readTree(out.resolve("serve-tiny.json").toFile());
    assertThat(json.get("rounds").asInt()).isEqualTo(2);
    JsonNode runs = json.get("runs");
    assertThat(runs).hasSize(3); // off, static, on (continuous)
    assertThat(runs.get(1).get("mode").asText()).isEqualTo("static");
    assertThat(runs.get(1).at("/batch/continuous").asBoolean()).isFalse();
    assertThat(runs.get(2).at("/batch/continuous").asBoolean()).isTrue();
    for (JsonNode r : runs) {
      assertThat(r.get("requests").asLong()).as(r.toString()).isPositive();
      assertThat(r.get("errors").asLong()).isZero();
      assertThat(r.get("modelBusy").asDouble()).isBetween(0.0, 1.05);
      assertThat(r.get("seconds").asDouble()).isEqualTo(2.0);
    }
    assertThat(runs.get(0).get("mode").asText()).isEqualTo("off");
    assertThat(runs.get(0).get("meanBatchRequests").asDouble()).isEqualTo(1.0);
    String md = Files.readString(out.resolve("serve-tiny.md"));
    assertThat(md).contains("| chat | off |").contains("| chat | on |").contains("take turns 2 times")
        .contains("Raw figures: `serve-tiny.json`").contains("--report serve-tiny")
        // The command shown reproduces the run: every option set away from its default.
        .contains("--workloads chat --clients 3 --seconds 2 --rounds 2 --warmup 0 --report serve-tiny`")
        .contains("answers are batched continuously").doesNotContain("Text: ").doesNotContain("Images: ")
        // With no --batch-size, a batch holds what the 3 clients' chat requests fill.
        .contains("with N = 3 rows for chat (the rows the clients' requests fill)");
    assertThat(runs.get(2).at("/batch/batchSize").asInt()).isEqualTo(3);
    assertThat(md).contains("| chat | static |").contains("batched statically (`--static-batching`), ");
    // The tokens-per-request column is the answers' mean length, at most max_tokens (16).
    double tokensPerRequest = runs.get(0).get("tokens").asDouble() / runs.get(0).get("requests").asDouble();
    assertThat(tokensPerRequest).isBetween(0.0, 16.0);
    assertThat(md).contains(String.format(java.util.Locale.ROOT, "| %.1f | 0 |", tokensPerRequest));
    Run bad = aia("bench", "serve", "--checkpoint", run.toString(), "--seconds", "1", "--rounds", "3");
    assertThat(bad.err()).contains("--rounds must be >= 1 and --seconds >= --rounds, got 3 and 1");
    Run badBatch = aia("bench", "serve", "--checkpoint", run.toString(), "--batch-size", "0");
    assertThat(badBatch.err()).contains("--batch-size must be >= 1, got 0");
    Run badName = aia("bench", "serve", "--checkpoint", run.toString(), "--report", "../elsewhere");
    assertThat(badName.err()).contains("--report is a file base name without a folder, got '../elsewhere'");
    Run noTemplate = aia("bench", "serve", "--checkpoint", run.toString(), "--workloads", "text", "--seconds", "1",
        "--rounds", "1", "--out", out.toString());
    assertThat(noTemplate.exit()).isNotZero();
    assertThat(noTemplate.err()).contains("The text workload needs a model with a chat template")
        .contains("use --workloads chat,images");
  }

  /** The text workload on a Hugging Face LLaMA: text chat through its chat template, both modes. */
  @Test
  void benchServeChatsWithAHuggingFaceModelThroughItsTemplate() throws Exception {
    Path model = org.aia4j.testkit.PythonFixtures.tinyLlama();
    Path out = tmp.resolve("bench-text");
    Run bench = aia("bench", "serve", "--checkpoint", model.toString(), "--clients", "3", "--seconds", "2",
        "--rounds", "2", "--warmup", "0", "--workloads", "text", "--max-tokens", "4", "--out", out.toString(),
        "--report", "serve-text");
    assertThat(bench.exit()).as(bench.err()).isZero();
    JsonNode json = JSON.readTree(out.resolve("serve-text.json").toFile());
    JsonNode runs = json.get("runs");
    assertThat(runs).hasSize(3);
    for (JsonNode r : runs) {
      assertThat(r.get("workload").asText()).isEqualTo("text");
      assertThat(r.get("requests").asLong()).as(r.toString()).isPositive();
      assertThat(r.get("errors").asLong()).isZero();
      // Answers are counted from the replies' usage: some tokens, at most max_tokens (4) per request.
      assertThat(r.get("tokens").asLong()).isBetween(1L, 4 * r.get("requests").asLong());
    }
    String md = Files.readString(out.resolve("serve-text.md"));
    assertThat(md).contains("| text | off |").contains("| text | on |").contains("--workloads text")
        .contains("Text: one user turn of 24 random ids").doesNotContain("Chat: ");
  }

  @Test
  void serveRefusesBadInputBeforeListening() throws Exception {
    Run missing = aia("serve", "--checkpoint", tmp.resolve("nothing").toString(), "--port", "0");
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).contains("checkpoint directory is missing");
    Files.createDirectories(tmp.resolve("empty"));
    Run notCheckpoint = aia("serve", "--checkpoint", tmp.resolve("empty").toString(), "--port", "0");
    assertThat(notCheckpoint.err()).contains("not an aia4j checkpoint or export");
    Run backend = aia("serve", "--checkpoint", tmp.resolve("empty").toString(), "--backend", "tpu");
    assertThat(backend.err()).contains("Unknown backend 'tpu'", "onnx", "djl");
    Run batch = aia("serve", "--checkpoint", tmp.resolve("empty").toString(), "--batch-size", "0");
    assertThat(batch.err()).contains("batch-size must be >= 1");
    Run queue = aia("serve", "--checkpoint", tmp.resolve("empty").toString(), "--queue-size", "-1");
    assertThat(queue.err()).contains("queue-size must be >= 1");
    Run connections = aia("serve", "--checkpoint", tmp.resolve("empty").toString(), "--max-connections", "0");
    assertThat(connections.err()).contains("max-connections must be >= 1, got 0");
    Run header = aia("serve", "--checkpoint", tmp.resolve("empty").toString(), "--header-timeout-ms", "0");
    assertThat(header.err()).contains("header-timeout-ms must be >= 1, got 0");
    Run kept = aia("serve", "--checkpoint", tmp.resolve("empty").toString(), "--keep-evaluations", "-1");
    assertThat(kept.err()).contains("keep-evaluations must be >= 0, got -1");
  }
}
