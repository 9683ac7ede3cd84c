package org.aia4j.cli;

import static org.aia4j.cli.CliTest.aia;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.aia4j.cli.CliTest.Run;
import org.aia4j.evaluation.geneval.GenEvalMetadata;
import org.aia4j.evaluation.run.EvalSummary;
import org.aia4j.testkit.DebianDatasets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop on the fashion world as a user runs it: its suite written, a tiny model trained in it
 * (with the tokenizer the world asks for), evaluated in the world it was trained in without being
 * told, and every score naming the learned judge.
 */
class FashionWorldCliTest {
  @TempDir
  Path tmp;

  @Test
  void trainEvalAndDataRunOnTheFashionWorld() throws Exception {
    DebianDatasets.fashionMnist();
    Path metadata = tmp.resolve("evaluation_metadata.jsonl");
    Run data = aia("data", "geneval", "--world", "fashion", "--out", metadata.toString());
    assertThat(data.exit()).as(data.err()).isZero();
    assertThat(GenEvalMetadata.read(metadata)).hasSize(270);
    assertThat(Files.readString(metadata)).contains("a photo of an ankle boot").doesNotContain("circle");

    Path checkpoint = tmp.resolve("tiny");
    Run train = aia("train", "--world", "fashion", "--preset", "tiny", "--steps", "2", "--out", checkpoint.toString());
    assertThat(train.exit()).as(train.err()).isZero();
    assertThat(train.out()).contains("fashion(size=32, grid=2");
    com.fasterxml.jackson.databind.JsonNode config =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(checkpoint.resolve("config.json").toFile());
    assertThat(ModelLoading.training(config).path("codebookSize").asInt()).isEqualTo(256);

    Path out = tmp.resolve("eval");
    Run eval = aia("eval", "--checkpoint", checkpoint.toString(), "--limit", "3", "--samples", "1", "--out",
        out.toString());
    assertThat(eval.exit()).as(eval.err()).isZero();
    EvalSummary summary = EvalSummary.read(out.resolve(EvalSummary.FILE_NAME));
    assertThat(summary.settings().world()).isEqualTo("fashion");
    assertThat(summary.suite("geneval").orElseThrow().details().path("judge").asText())
        .contains("fashion world").contains("test accuracy");
    assertThat(summary.suite("mmbench").orElseThrow().details().path("source").asText()).contains("fashion world");
    assertThat(summary.curve(org.aia4j.api.model.Task.UNDERSTANDING)).isPresent();

    Run wrong = aia("eval", "--checkpoint", checkpoint.toString(), "--world", "marbles", "--out",
        tmp.resolve("none").toString());
    assertThat(wrong.exit()).isNotZero();
    assertThat(wrong.err()).contains("marbles").contains("shapes").contains("fashion");
  }
}
