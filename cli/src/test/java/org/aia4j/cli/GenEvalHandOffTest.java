package org.aia4j.cli;

import static org.aia4j.cli.CliTest.aia;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.aia4j.cli.CliTest.Run;
import org.aia4j.evaluation.geneval.GenEvalEntry;
import org.aia4j.evaluation.geneval.GenEvalLayout;
import org.aia4j.evaluation.geneval.GenEvalMetadata;
import org.aia4j.evaluation.geneval.GenEvalPrompt;
import org.aia4j.evaluation.run.EvalSummary;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official GenEval handed off: metadata in the official layout naming COCO classes, which no
 * judge of aia4j's reads, drawn by a real (tiny) checkpoint into GenEval's exact folder layout.
 */
class GenEvalHandOffTest {
  @TempDir
  static Path shared;

  @TempDir
  Path tmp;

  static Path checkpoint;
  static Path metadata;

  @BeforeAll
  static void trainAndCopyTheMetadata() throws Exception {
    checkpoint = shared.resolve("tiny");
    Run train = aia("train", "--preset", "tiny", "--steps", "2", "--out", checkpoint.toString());
    assertThat(train.exit()).as(train.err()).isZero();
    metadata = shared.resolve("evaluation_metadata.jsonl");
    try (var in = GenEvalHandOffTest.class.getResourceAsStream("/geneval/coco_evaluation_metadata.jsonl")) {
      Files.copy(in, metadata);
    }
  }

  @Test
  void imagesOnlyWritesGenEvalsExactLayoutAndScoresNothing() throws Exception {
    Path out = tmp.resolve("handoff");
    Run eval = aia("eval", "--checkpoint", checkpoint.toString(), "--geneval-metadata", metadata.toString(),
        "--images-only", "--samples", "2", "--out", out.toString());
    assertThat(eval.exit()).as(eval.err()).isZero();
    assertThat(eval.out()).contains("not scored").contains("evaluate_images.py");

    Path images = out.resolve("geneval").resolve("images");
    List<GenEvalPrompt> prompts = GenEvalMetadata.read(metadata);
    List<GenEvalEntry> entries = GenEvalLayout.read(images);
    assertThat(entries).hasSize(prompts.size());
    for (int i = 0; i < prompts.size(); i++) {
      // Each folder holds the official line as given and its samples 0000.png, 0001.png.
      Path folder = images.resolve(String.format("%05d", i));
      assertThat(Files.readString(folder.resolve("metadata.jsonl")).strip())
          .isEqualTo(Files.readAllLines(metadata).get(i).strip());
      assertThat(folder.resolve("samples").resolve("0000.png")).isRegularFile();
      assertThat(folder.resolve("samples").resolve("0001.png")).isRegularFile();
      assertThat(entries.get(i).prompt().prompt()).isEqualTo(prompts.get(i).prompt());
    }
    // Nothing was judged: no results, no scores, and the summary says what was handed off.
    assertThat(out.resolve("geneval").resolve("results.jsonl")).doesNotExist();
    EvalSummary summary = EvalSummary.read(out.resolve(EvalSummary.FILE_NAME));
    assertThat(summary.suites()).isEmpty();
    assertThat(summary.settings().imagesOnly()).isTrue();
    assertThat(summary.handOffs().get("geneval").path("prompts").asInt()).isEqualTo(prompts.size());
    assertThat(summary.handOffs().get("geneval").path("images").asInt()).isEqualTo(2 * prompts.size());
  }

  @Test
  void scoringCocoClassesIsRefusedBeforeTheModelRunsAndPointsToTheHandOff() {
    Path out = tmp.resolve("scored");
    Run eval = aia("eval", "--checkpoint", checkpoint.toString(), "--benchmarks", "geneval", "--geneval-metadata",
        metadata.toString(), "--out", out.toString());
    assertThat(eval.exit()).isNotZero();
    assertThat(eval.err()).contains("'bench'").contains("cannot judge").contains("--images-only");
    assertThat(out).doesNotExist();

    Run mmbench = aia("eval", "--checkpoint", checkpoint.toString(), "--benchmarks", "geneval,mmbench",
        "--geneval-metadata", metadata.toString(), "--images-only", "--out", out.toString());
    assertThat(mmbench.exit()).isNotZero();
    assertThat(mmbench.err()).contains("mmbench draws no images");
    assertThat(out).doesNotExist();
  }
}
