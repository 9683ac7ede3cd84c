package org.aia4j.cli;

import static org.aia4j.cli.CliTest.aia;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AIA loss options from the command line: recorded by {@code aia train}, read back by {@code
 * aia eval} to measure the curves as the run was trained, overridable there, and the suite sizes.
 */
class AiaOptionsCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  @Test
  void trainRecordsTheOptionsAndEvalMeasuresTheCurvesSo() throws Exception {
    Path run = tmp.resolve("run");
    CliTest.Run train = aia("train", "--preset", "tiny", "--steps", "4", "--aia-aggregation", "batch-mean",
        "--bos-as-text", "false", "--answer-queries", "answer-predictors", "--out", run.toString());
    assertThat(train.exit()).as(train.err()).isZero();
    JsonNode loss = JSON.readTree(run.resolve("config.json").toFile()).at("/training/schedule");
    assertThat(loss.get("aggregation").asText()).isEqualTo("batch-mean");
    assertThat(loss.get("bosAsText").asBoolean()).isFalse();
    assertThat(loss.get("understandingQueries").asText()).isEqualTo("answer-predictors");
    assertThat(loss.get("mode").asText()).as("the paper's schedule is kept").isEqualTo("relative");

    Path asTrained = tmp.resolve("as-trained");
    CliTest.Run eval = aia("eval", "--checkpoint", run.toString(), "--limit", "2", "--samples", "1",
        "--mmbench-questions", "6", "--suite-seed", "9", "--out", asTrained.toString());
    assertThat(eval.exit()).as(eval.err()).isZero();
    JsonNode summary = JSON.readTree(asTrained.resolve("summary.json").toFile());
    assertThat(summary.at("/settings/curves/bos_as_text").asBoolean()).isFalse();
    assertThat(summary.at("/settings/curves/answer_queries").asText()).isEqualTo("answer-predictors");
    assertThat(summary.at("/settings/suites/mmbench_questions").asInt()).isEqualTo(6);
    assertThat(summary.at("/settings/suites/seed").asLong()).isEqualTo(9);

    Path withBos = tmp.resolve("with-bos");
    CliTest.Run override = aia("eval", "--checkpoint", run.toString(), "--limit", "2", "--samples", "1",
        "--benchmarks", "geneval", "--bos-as-text", "true", "--out", withBos.toString());
    assertThat(override.exit()).as(override.err()).isZero();
    JsonNode genWithout = summary.at("/interaction/gen/mean");
    JsonNode genWith = JSON.readTree(withBos.resolve("summary.json").toFile()).at("/interaction/gen/mean");
    assertThat(genWith).hasSize(2);
    for (int l = 0; l < 2; l++) {
      assertThat(genWithout.get(l).asDouble()).as("layer %d: BOS out of the keys lowers the mass", l)
          .isLessThan(genWith.get(l).asDouble());
    }

    CliTest.Run bad = aia("train", "--preset", "tiny", "--steps", "1", "--aia-aggregation", "median",
        "--out", tmp.resolve("bad").toString());
    assertThat(bad.err()).contains("Unknown AIA aggregation 'median'. Known: per-sample, batch-mean");
    assertThat(tmp.resolve("bad")).doesNotExist();
  }
}
