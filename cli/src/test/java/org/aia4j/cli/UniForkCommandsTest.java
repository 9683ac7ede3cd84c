package org.aia4j.cli;

import static org.aia4j.cli.CliTest.aia;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The UniFork commands refuse bad input before any training, with messages that say what is wrong. */
class UniForkCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  @Test
  void experimentRefusesUnknownArmsAndForks() {
    CliTest.Run arm = aia("experiment", "--arms", "baseline,unifrok", "--out", tmp.resolve("x").toString());
    assertThat(arm.exit()).isNotZero();
    assertThat(arm.err()).contains("Unknown arm 'unifrok'. Known arms: baseline, aia, unifork, unifork+aia");
    CliTest.Run fork = aia("experiment", "--preset", "tiny", "--fork", "2", "--out", tmp.resolve("x").toString());
    assertThat(fork.err()).contains("--fork must be in [0, 1] for the 2-layer 'tiny' preset");
    assertThat(tmp.resolve("x")).doesNotExist();
  }

  /** The experiment, tiny: one seed, the shared and the forked arm with AIA, both suites, both curves. */
  @Test
  void experimentRunsItsArmsFromOneBaseEndToEnd() throws Exception {
    Path out = tmp.resolve("exp");
    CliTest.Run run = aia("experiment", "--arms", "baseline,unifork+aia", "--seeds", "0", "--preset", "tiny",
        "--base-steps", "10", "--tune-steps", "3", "--limit", "4", "--samples", "1", "--align-samples", "12",
        "--out", out.toString());
    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode summary = JSON.readTree(out.resolve("experiment.json").toFile());
    assertThat(summary.get("tune_learning_rate").asDouble()).isEqualTo(5e-4);
    JsonNode forked = summary.at("/arms/unifork+aia");
    JsonNode shared = summary.at("/arms/baseline");
    assertThat(forked.get("parameters").asLong()).isGreaterThan(shared.get("parameters").asLong());
    assertThat(forked.get("parametersPerTask").asLong()).isEqualTo(shared.get("parameters").asLong());
    for (String arm : java.util.List.of("baseline", "unifork-aia")) {
      JsonNode config = JSON.readTree(out.resolve("seed-0").resolve(arm).resolve("config.json").toFile());
      // Every arm is a fine-tune of the one base, at the loop's fine-tuning rate.
      assertThat(config.get("initialized_from").asText()).contains(out.resolve("seed-0").resolve("base").toString());
      assertThat(config.at("/training/learningRate").asDouble()).isEqualTo(5e-4);
      assertThat(config.at("/training/aia").asBoolean()).isEqualTo(arm.endsWith("aia"));
    }
    assertThat(JSON.readTree(out.resolve("seed-0/unifork-aia/config.json").toFile()).at("/training/fork").asInt())
        .isEqualTo(1);
    assertThat(forked.at("/alignment/und/0")).hasSize(2);
    assertThat(forked.at("/interaction/gen/0")).hasSize(2);
    assertThat(Files.readString(out.resolve("experiment.md"))).contains("| metric | baseline | unifork+aia |")
        .contains("GenEval-style overall").contains("MMBench-style circular");
    assertThat(out.resolve("report-seed-0.html")).exists();

    CliTest.Run again = aia("experiment", "--arms", "baseline", "--seeds", "0", "--preset", "tiny",
        "--base-steps", "10", "--tune-steps", "3", "--limit", "4", "--samples", "1", "--align-samples", "12",
        "--out", out.toString());
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out()).contains("reusing " + out.resolve("seed-0").resolve("base"))
        .contains("reusing " + out.resolve("seed-0").resolve("baseline"));
  }

  @Test
  void trainAndAlignRefuseBadValues() {
    CliTest.Run train = aia("train", "--preset", "tiny", "--fork", "-1", "--steps", "1", "--out",
        tmp.resolve("t").toString());
    assertThat(train.exit()).isNotZero();
    assertThat(train.err()).contains("fork (--fork) must be >= 0 (the number of shared layers), got -1");
    CliTest.Run align = aia("align", "--checkpoint", tmp.resolve("none").toString(), "--task", "und", "--samples", "8",
        "--k", "8", "--out", tmp.resolve("a.json").toString());
    assertThat(align.err()).contains("--k must be in [1, samples - 1] = [1, 7], got 8");
  }
}
