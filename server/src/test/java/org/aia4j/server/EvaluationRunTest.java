package org.aia4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aia4j.api.Registries;
import org.aia4j.api.benchmark.ProgressListener;
import org.aia4j.api.model.Task;
import org.aia4j.evaluation.run.EvalProgress;
import org.aia4j.evaluation.run.EvalSettings;
import org.aia4j.evaluation.run.EvalSuites;
import org.aia4j.evaluation.run.EvalSummary;
import org.aia4j.evaluation.run.Evaluation;
import org.aia4j.onnx.runtime.OnnxUnifiedModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Evaluation#run} on a real tiny checkpoint: the summary it writes reads back equal, with
 * every suite, the curves, the settings and the checkpoint in it (here because this module sees
 * both a backend and the evaluation API).
 */
class EvaluationRunTest {
  @TempDir
  Path tmp;

  @Test
  void theWrittenSummaryReadsBackEqual() throws Exception {
    EvalSettings settings = new EvalSettings(2, 1, 2.0, 1.0, 0.0, 0, 5, 2, "onnx", "cpu", null, null, 4);
    var suites = EvalSuites.create(Registries.benchmarks(), List.of("mmbench", "geneval"), settings);
    EvalSummary.CheckpointSource source = new EvalSummary.CheckpointSource(
        TinyModel.checkpoint().toAbsolutePath().toString(), 20L, null);
    List<String> events = new ArrayList<>();
    EvalSummary summary;
    try (OnnxUnifiedModel model = TinyModel.load()) {
      summary = Evaluation.into(tmp.resolve("run")).checkpoint(source).profilingData(TinyModel.DATA)
          .loadSeconds(0.5).run(model, suites, settings, new EvalProgress() {
            @Override
            public ProgressListener suiteStarted(String benchmark, int items, int size) {
              events.add("start " + benchmark + " " + items);
              return ProgressListener.none();
            }

            @Override
            public void suiteFinished(String benchmark, EvalSummary.SuiteResult result, double seconds) {
              events.add("end " + benchmark + " " + (result != null));
            }

            @Override
            public void note(String message) {
              events.add(message);
            }
          });
    }

    Path file = tmp.resolve("run").resolve(EvalSummary.FILE_NAME);
    EvalSummary read = EvalSummary.read(file);
    assertThat(read).isEqualTo(summary);
    assertThat(read.toJson()).isEqualTo(summary.toJson());
    assertThat(events).containsExactly("start mmbench 2", "end mmbench true", "start geneval 2", "end geneval true");

    assertThat(read.suites().keySet()).containsExactly("mmbench", "geneval");
    assertThat(read.suite("mmbench").orElseThrow().number("vanilla")).isPresent();
    assertThat(read.suite("mmbench").orElseThrow().number("questions")).contains(2.0);
    assertThat(read.suite("geneval").orElseThrow().number("images")).contains(2.0);
    assertThat(read.suite("geneval").orElseThrow().breakdown()).isNotEmpty();
    for (Task task : Task.values()) {
      EvalSummary.Curve curve = read.curve(task).orElseThrow();
      assertThat(curve.samples()).isEqualTo(4);
      assertThat(curve.mean()).hasSize(read.model().layers());
    }
    assertThat(read.settings()).isEqualTo(settings);
    assertThat(read.checkpoint()).isEqualTo(source);
    assertThat(read.model().backend()).isEqualTo("onnx");
    assertThat(read.seconds()).containsKeys("load", "mmbench", "geneval", "interaction", "total");
    assertThat(read.seconds().get("total")).isGreaterThanOrEqualTo(0.5);
    assertThat(Files.readString(file)).contains("\"format\" : \"aia4j-eval-summary\"", "\"answer_temperature\"");
    assertThat(tmp.resolve("run/mmbench/predictions.tsv")).exists();
    assertThat(tmp.resolve("run/geneval/results.jsonl")).exists();
  }

  @Test
  void withoutProfilingDataTheSummaryHasNoCurvesAndSaysWhy() throws Exception {
    EvalSettings settings = new EvalSettings(1, 1, 2.0, 1.0, 0.0, 0, 0, 1, "onnx", "cpu", null, null, 4);
    List<String> notes = new ArrayList<>();
    EvalSummary summary;
    try (OnnxUnifiedModel model = TinyModel.load()) {
      summary = Evaluation.into(tmp).run(model, EvalSuites.create(Registries.benchmarks(), List.of("mmbench"),
          settings), settings, new EvalProgress() {
            @Override
            public ProgressListener suiteStarted(String benchmark, int items, int size) {
              return ProgressListener.none();
            }

            @Override
            public void suiteFinished(String benchmark, EvalSummary.SuiteResult result, double seconds) {}

            @Override
            public void note(String message) {
              notes.add(message);
            }
          });
    }
    assertThat(summary.interaction()).isEmpty();
    assertThat(summary.checkpoint()).isNull();
    assertThat(notes).containsExactly("No interaction curves: the data the model was trained on is not known");
    assertThat(EvalSummary.read(tmp.resolve(EvalSummary.FILE_NAME))).isEqualTo(summary);
  }
}
