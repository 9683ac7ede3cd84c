package org.aia4j.cli;

import static org.aia4j.cli.CliTest.aia;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The UniFork commands refuse bad input before any training, with messages that say what is wrong. */
class UniForkCommandsTest {
  @TempDir
  Path tmp;

  @Test
  void experimentRefusesUnknownArmsAndForks() {
    CliTest.Run arm = aia("experiment", "--arms", "baseline,unifrok", "--out", tmp.resolve("x").toString());
    assertThat(arm.exit()).isNotZero();
    assertThat(arm.err()).contains("Unknown arm 'unifrok'. Known arms: baseline, aia-experts, aia-paper, unifork, unifork+aia, aia-batch-mean, aia-answer-predictors, aia-bos-off");
    CliTest.Run fork = aia("experiment", "--preset", "tiny", "--fork", "2", "--out", tmp.resolve("x").toString());
    assertThat(fork.err()).contains("--fork must be in [0, 1] for the 2-layer 'tiny' preset");
    assertThat(tmp.resolve("x")).doesNotExist();
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
