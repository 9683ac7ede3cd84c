package org.aia4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.aia4j.evaluation.mmbench.MmbenchSuite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The benchmark reports rendered from their committed JSON, and the bench commands' options. */
class BenchReportTest {
  private static final Path COMMITTED = Path.of("../docs/benchmarks");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  /** Re-rendering a committed result (notes included) gives the committed report, byte for byte. */
  @ParameterizedTest
  @ValueSource(strings = {"train-step", "decode", "serve", "serve-64", "serve-llama", "serve-llama-64", "serve-medium",
      "serve-small-300", "real-models"})
  void aCommittedResultRendersToItsCommittedReport(String name) throws IOException {
    Path json = tmp.resolve(name + ".json");
    Files.copy(COMMITTED.resolve(name + ".json"), json);
    if (Files.exists(COMMITTED.resolve(name + ".notes.md"))) {
      Files.copy(COMMITTED.resolve(name + ".notes.md"), tmp.resolve(name + ".notes.md"));
    }

    CliTest.Run run = CliTest.aia("bench", "render", json.toString());

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(Files.readString(tmp.resolve(name + ".md"))).isEqualTo(Files.readString(COMMITTED.resolve(name + ".md")));
  }

  @Test
  void aReportHoldsItsResultsFigures() throws IOException {
    String train = render("train-step");
    assertThat(train).contains("Preset `small`, 880640 parameters, one fixed batch of 48 sequences (2284 tokens")
        .contains("| next-token only | 203.9 (184.8-222.2) | 222.3 (203.6-251.5) | 0.83 (0.81-1.09)x |")
        .contains("| next-token + AIA | 228.2 (201.7-247.2) | 230.4 (230.0-267.9) | 0.99 (0.75-1.07)x |")
        .contains("aia4j 316.2 (312.7-319.1) ms at 1 thread")
        .contains("AIA overhead in aia4j: +11.2 (+9.2 to +11.9)% ").contains("+22.0 (+21.4 to +27.0)% with the memory-lean")
        .contains("AIA overhead in the PyTorch peer: +13.0 (-8.4 to +20.5)%.")
        .contains("first-step loss 10.841162 (aia4j) vs 10.841162 (PyTorch)");
    assertThat(render("decode"))
        .contains("| 16 | 13308 (8501-14566) (mostly 2 threads) | 5587 (4196-6119) | 5199 (3397-5779) (mostly 1 thread)"
            + " | 2.50 (2.40-2.80)x | 2.17 (1.90-2.56)x |")
        .contains("| 1 | 4293 (2941-4529) (mostly 1 thread) | 475 (346-863) | 1341 (981-1408) (mostly 1 thread)"
            + " | 3.21 (2.73-3.96)x | 7.57 (5.25-10.58)x |")
        .contains("The whole comparison ran 5 times").contains("at least 5 calls and 1.0 s")
        .contains("ONNX Runtime sustains 56.2 GFLOP/s").contains("30 (22-38)% of this machine's measured float32 GEMM rate")
        .contains("measured in every comparison").contains("batch 1 identical; batch 16 identical.");
    assertThat(render("real-models")).contains("| peak resident memory / float32 size of the model (goal: <= 1.5) | 1.12 (1.11-1.12) |")
        .contains("| 1 | onnx | 85.7 (72.9-98.9) | 34.9 (34.1-37.2) | 1 | 2.30 (2.14-2.83)x |")
        // An engine at one thread is read against the peer at one thread.
        .contains("| 16 | onnx, 1 thread | 408.5 (392.1-424.0) | 283.7 (281.5-301.7) | 1 | 1.41 (1.39-1.44)x |")
        .contains("streams 37.9 GB/s of weights, 102% of this machine's measured memory read bandwidth")
        .contains("110,512,896 parameters");
    assertThat(render("serve")).contains("| chat | on | 640.17 | 30 | 262 | 31.9 | 1.55 | 99% | 3.2 | 0 |")
        .contains("| chat | static | 620.50 | 48 | 106 | 31.8 | 1.47 | 91% | 3.2 | 0 |")
        .contains("- images: batching gives 3.6x the throughput (3.2-4.4x")
        .contains("; 2046 vs 1161 answer tokens/s; batched statically (`--static-batching`), 1.7x (1.6-1.8x).");
    assertThat(render("serve-llama")).contains("--workloads text --seconds 45 --warmup 15 --report serve-llama`")
        .contains("- text: batching gives 4.0x the throughput (3.9-4.1x");
  }

  @Test
  void aResultWithoutThePeerHasNoPeerColumnsAndDifferingCodesAreCounted() throws IOException {
    ObjectNode train = (ObjectNode) JSON.readTree(COMMITTED.resolve("train-step.json").toFile());
    train.remove("pytorch");
    String report = BenchReport.render(train, "train-step", "");
    assertThat(report).contains("| mode | aia4j (ms) |\n|---|---|\n| next-token only | 203.9 (184.8-222.2) |\n")
        .doesNotContain("PyTorch/Python (ms)").doesNotContain("Peer:").endsWith("Raw figures: `train-step.json`.\n");

    ObjectNode decode = (ObjectNode) JSON.readTree(COMMITTED.resolve("decode.json").toFile());
    ((ObjectNode) decode.at("/batches/16")).put("pytorch_differing_tokens", 7);
    assertThat(BenchReport.render(decode, "decode", "")).contains("batch 1 identical; batch 16: 7 of 256 tokens differ.");
  }

  @Test
  void renderNamesTheFileThatIsNoBenchmarkResult() throws IOException {
    Path other = tmp.resolve("other.json");
    Files.writeString(other, "{\"benchmark\": \"nope\"}");
    assertThatThrownBy(() -> BenchReport.renderBeside(other)).isInstanceOf(IOException.class)
        .hasMessage(other + ": \"benchmark\" is 'nope', expected one of [decode, real-models, serve, train-step]");
    Files.writeString(other, "{not json");
    assertThatThrownBy(() -> BenchReport.renderBeside(other)).hasMessageStartingWith(other + ": not a JSON benchmark result");
    assertThat(CliTest.aia("bench", "render", tmp.resolve("missing.json").toString()).err()).contains("missing.json");
    assertThat(tmp.resolve("other.md")).doesNotExist();
  }

  @Test
  void theMixinsKeepTheOptionsNamesAndDefaults() {
    assertThat(CliTest.aia("data", "mmbench", "--help").out()).contains("--seed=<seed>")
        .contains("(default: " + MmbenchSuite.DEFAULT_SEED + ",");
    assertThat(CliTest.aia("bench", "train", "--help").out()).contains("--preset=<preset>").contains("(default: small)")
        .contains("--out=<out>").contains("(default: docs/benchmarks)");
    assertThat(CliTest.aia("bench", "decode", "--help").out()).contains("(default: docs/benchmarks)");
    assertThat(CliTest.aia("bench", "serve", "--help").out()).contains("(default: docs/benchmarks)");
  }

  private String render(String name) throws IOException {
    JsonNode result = JSON.readTree(COMMITTED.resolve(name + ".json").toFile());
    return BenchReport.render(result, name, "");
  }
}
