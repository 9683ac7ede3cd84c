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
  void suiteOptionsReachTheEmbeddedSuites() {
    EvalSettings larger = EvalSettings.defaults("djl").withSuites(new SuiteOptions(20, 40, 5L));
    var suites = EvalSuites.create(Registries.benchmarks(), List.of("geneval", "mmbench"), larger);
    var defaults = EvalSuites.create(Registries.benchmarks(), List.of("geneval", "mmbench"), EvalSettings.defaults("djl"));
    assertThat(suites.get("mmbench").size()).isEqualTo(40);
    assertThat(suites.get("mmbench").description()).contains("seed 5, 40 questions");
    assertThat(suites.get("geneval").description()).contains("seed 5").contains("20 per tag");
    // 20 per tag lifts single_object (4), two_object (12), counting (12) to 20; the rest are larger already.
    assertThat(suites.get("geneval").size()).isEqualTo(defaults.get("geneval").size() + 16 + 8 + 8);
    assertThatThrownBy(() -> new SuiteOptions(-1, 0, null)).hasMessageContaining("--geneval-per-tag must be >= 0");
  }

  @Test
  void settingsWithTheNewOptionsRoundTripAndOldSummariesReadAsDefaults() throws Exception {
    EvalSettings settings = EvalSettings.defaults("onnx").withSuites(new SuiteOptions(40, 500, 2L))
        .withCurves(new CurveOptions(false, org.aia4j.api.interaction.AnswerQueries.PREDICTORS));
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    var tree = json.valueToTree(settings);
    assertThat(tree.at("/suites/geneval_per_tag").asInt()).isEqualTo(40);
    assertThat(tree.at("/curves/answer_queries").asText()).isEqualTo("answer-predictors");
    assertThat(json.treeToValue(tree, EvalSettings.class)).isEqualTo(settings);
    assertThat(settings.curves().toRoles(org.aia4j.api.model.Task.GENERATION).bosAsText()).isFalse();
    ((com.fasterxml.jackson.databind.node.ObjectNode) tree).remove(List.of("suites", "curves"));
    EvalSettings old = json.treeToValue(tree, EvalSettings.class);
    assertThat(old.suites()).isEqualTo(SuiteOptions.DEFAULTS);
    assertThat(old.curves()).isEqualTo(CurveOptions.DEFAULTS);
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
