package org.aia4j.cli;

import static org.aia4j.cli.CliTest.aia;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conflict experiment, tiny, end to end: experts at the per-task budget, their curves made into
 * the targets the AIA arms train toward, every arm's config as the design says, two suite seeds,
 * the rerun, and the analysis written.
 */
class ConflictExperimentTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  @Test
  void everyArmExpertAndTargetIsWhatTheDesignSays() throws Exception {
    Path out = tmp.resolve("exp");
    List<String> args = List.of("experiment", "--seeds", "0", "--preset", "tiny", "--base-steps", "10",
        "--tune-steps", "4", "--limit", "4", "--samples", "1", "--geneval-per-tag", "2", "--mmbench-questions", "8",
        "--profile-samples", "16", "--out", out.toString());
    CliTest.Run run = aia(args.toArray(String[]::new));
    assertThat(run.exit()).as(run.err()).isZero();
    Path seed = out.resolve("seed-0");
    JsonNode summary = JSON.readTree(out.resolve("experiment.json").toFile());

    // Experts: one task each, the share of the unified batches that task gets (tiny: 4 of 8), from scratch.
    JsonNode und = config(seed.resolve("expert-und-base"));
    assertThat(und.at("/training/tasks").asText()).isEqualTo("und");
    assertThat(und.at("/training/steps").asInt()).isEqualTo(5);
    assertThat(config(seed.resolve("expert-gen")).at("/training/steps").asInt()).isEqualTo(2);
    assertThat(summary.at("/experts/expert-und/scores/MMBench-style circular")).hasSize(1);
    assertThat(summary.at("/experts/expert-und/scores").has("GenEval-style overall"))
        .as("an expert is scored on its own task only").isFalse();

    // Targets: the experts' profiled curves, layer by layer.
    JsonNode profile = JSON.readTree(seed.resolve("profile-expert-und.json").toFile());
    JsonNode targets = JSON.readTree(seed.resolve("targets-default.json").toFile());
    for (int l = 0; l < 2; l++) {
      assertThat(targets.at("/understanding/stages/" + l + "/target").asDouble())
          .isCloseTo(profile.at("/mean/" + l).asDouble(), within(1e-9));
    }
    JsonNode bosOff = JSON.readTree(seed.resolve("profile-expert-gen-bos-off.json").toFile());
    JsonNode bosOn = JSON.readTree(seed.resolve("profile-expert-gen.json").toFile());
    for (int l = 0; l < 2; l++) {
      assertThat(bosOff.at("/mean/" + l).asDouble()).as("without BOS among the keys, less mass")
          .isLessThan(bosOn.at("/mean/" + l).asDouble());
    }

    // The arms' loss configs.
    assertThat(loss(seed, "aia-experts").at("/understanding/stages/0/target").asDouble())
        .isEqualTo(targets.at("/understanding/stages/0/target").asDouble());
    assertThat(loss(seed, "aia-experts").get("aggregation").asText()).isEqualTo("per-sample");
    assertThat(loss(seed, "aia-batch-mean").get("aggregation").asText()).isEqualTo("batch-mean");
    assertThat(loss(seed, "aia-bos-off").get("bosAsText").asBoolean()).isFalse();
    assertThat(loss(seed, "aia-answer-predictors").get("understandingQueries").asText()).isEqualTo("answer-predictors");
    assertThat(loss(seed, "aia-paper").get("mode").asText()).isEqualTo("relative");
    assertThat(config(seed.resolve("baseline")).at("/training/aia").asBoolean()).isFalse();
    // UniFork: forked from the first step of its own base, then fine-tuned.
    JsonNode forkedBase = config(seed.resolve("unifork-base"));
    assertThat(forkedBase.at("/training/fork").asInt()).isEqualTo(1);
    assertThat(forkedBase.at("/training/init").isNull() || forkedBase.at("/training/init").isMissingNode()).isTrue();
    assertThat(config(seed.resolve("unifork-aia")).get("initialized_from").asText())
        .contains(seed.resolve("unifork-base").toString());
    JsonNode forked = summary.at("/arms/unifork+aia");
    assertThat(forked.get("parameters").asLong()).isGreaterThan(summary.at("/arms/baseline/parameters").asLong());

    // Two suite seeds, scored separately and averaged.
    JsonNode scores = summary.at("/arms/baseline/scores");
    double first = scores.at("/MMBench-style circular @suite1/0").asDouble();
    double second = scores.at("/MMBench-style circular @suite2/0").asDouble();
    assertThat(scores.at("/MMBench-style circular/0").asDouble()).isCloseTo((first + second) / 2, within(1e-12));
    assertThat(summary.at("/arms/aia-bos-off/spread/gen/0")).hasSize(2);
    assertThat(summary.at("/rerun/identical_weights").asBoolean()).as("the same spec retrained").isTrue();

    String md = Files.readString(out.resolve("experiment.md"));
    assertThat(md).contains("## The conflict: unified minus expert").contains("## Each arm minus the baseline")
        .contains("## Ablations minus aia-experts").contains("## Noise floors").contains("experts' targets");
    assertThat(out.resolve("report-seed-0.html")).exists();

    CliTest.Run again = aia(args.toArray(String[]::new));
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out()).contains("reusing " + seed.resolve("base")).contains("reusing " + seed.resolve("aia-bos-off"));
  }

  private static JsonNode config(Path checkpoint) throws Exception {
    return JSON.readTree(checkpoint.resolve("config.json").toFile());
  }

  private static JsonNode loss(Path seed, String arm) throws Exception {
    return config(seed.resolve(arm.replace('+', '-'))).at("/training/schedule");
  }
}
