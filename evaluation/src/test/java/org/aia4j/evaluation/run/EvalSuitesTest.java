package org.aia4j.evaluation.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.aia4j.api.Registries;
import org.aia4j.api.benchmark.BenchmarkOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The suite set-up every evaluation shares, and the settings it reads. */
class EvalSuitesTest {
  @TempDir
  Path tmp;

  private static EvalSettings withFiles(Path metadata, Path tsv) {
    return new EvalSettings(0, 4, 2.0, 1.0, 0.0, 0, 0, 16, "djl", "cpu",
        metadata == null ? null : metadata.toString(), tsv == null ? null : tsv.toString(), 128);
  }

  @Test
  void suitesComeOnceEachInTheOrderAsked() {
    var suites = EvalSuites.create(Registries.benchmarks(), List.of("MMBench", " ", "geneval", "mmbench"),
        EvalSettings.defaults("djl"));
    assertThat(suites.keySet()).containsExactly("mmbench", "geneval");
    assertThat(suites.get("geneval").size()).isPositive();
  }

  @Test
  void whatCannotRunIsRefusedWithTheReason() throws Exception {
    EvalSettings defaults = EvalSettings.defaults("djl");
    assertThatThrownBy(() -> EvalSuites.create(Registries.benchmarks(), List.of("geneval", "pope"), defaults))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Unknown benchmark 'pope'").hasMessageContaining("geneval, mmbench");
    assertThatThrownBy(() -> EvalSuites.create(Registries.benchmarks(), List.of(" "), defaults))
        .hasMessage("--benchmarks names no benchmark. Known benchmarks: geneval, mmbench");
    Path missing = tmp.resolve("nowhere.jsonl");
    assertThatThrownBy(() -> EvalSuites.create(Registries.benchmarks(), List.of("geneval"), withFiles(missing, null)))
        .hasMessage("--geneval-metadata " + missing + " does not exist");
    Path tsv = Files.writeString(tmp.resolve("mmbench.tsv"), "index\tquestion\n");
    assertThatThrownBy(() -> EvalSuites.create(Registries.benchmarks(), List.of("geneval"), withFiles(null, tsv)))
        .hasMessage("--mmbench-tsv is given but mmbench is not in --benchmarks");
    Path empty = Files.writeString(tmp.resolve("evaluation_metadata.jsonl"), "");
    assertThatThrownBy(() -> EvalSuites.create(Registries.benchmarks(), List.of("geneval"), withFiles(empty, null)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
  }

  @Test
  void answersSampleWithTheAnswerTemperatureAndImagesWithGuidance() {
    EvalSettings settings = new EvalSettings(5, 2, 3.0, 0.7, 0.2, 9, 4, 8, "onnx", "cpu", null, null, 0);
    BenchmarkOptions answers = settings.options("mmbench");
    assertThat(answers.sampling().cfgWeight()).isEqualTo(1.0);
    assertThat(answers.sampling().temperature()).isEqualTo(0.2);
    BenchmarkOptions images = settings.options("geneval");
    assertThat(images.sampling().cfgWeight()).isEqualTo(3.0);
    assertThat(images.sampling().temperature()).isEqualTo(0.7);
    assertThat(images.sampling().topK()).isEqualTo(9);
    assertThat(images.sampling().seed()).isEqualTo(4);
    assertThat(images.limit()).isEqualTo(5);
    assertThat(images.batchSize()).isEqualTo(8);
    assertThatThrownBy(() -> new EvalSettings(0, 4, 2.0, 1.0, 0.0, 0, 0, 16, "djl", "cpu", null, null, -1))
        .hasMessageContaining("interactionSamples must be >= 0");
    assertThatThrownBy(() -> new EvalSettings(0, 4, 2.0, 1.0, 0.0, 0, 0, 16, " ", "cpu", null, null, 0))
        .hasMessageContaining("backend must not be blank");
  }
}
