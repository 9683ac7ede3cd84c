package org.aia4j.evaluation.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.aia4j.api.Registries;
import org.aia4j.api.benchmark.Benchmark;
import org.aia4j.api.benchmark.BenchmarkOptions;
import org.aia4j.api.benchmark.BenchmarkScore;
import org.aia4j.api.model.AnswerRequest;
import org.aia4j.api.model.GenerationRequest;
import org.aia4j.api.model.UnifiedModel;
import org.aia4j.evaluation.geneval.GenEvalBenchmark;
import org.aia4j.evaluation.geneval.GenEvalOracle;
import org.aia4j.evaluation.geneval.GenEvalPrompt;
import org.aia4j.evaluation.geneval.GenEvalSuite;
import org.aia4j.evaluation.io.Images;
import org.aia4j.evaluation.mmbench.CircularEval;
import org.aia4j.evaluation.mmbench.MmbenchBenchmark;
import org.aia4j.evaluation.mmbench.MmbenchQuestion;
import org.aia4j.evaluation.mmbench.MmbenchSuite;
import org.aia4j.evaluation.world.Scene;
import org.aia4j.evaluation.world.SceneRenderer;
import org.aia4j.evaluation.world.ShapesWorld;
import org.aia4j.evaluation.world.WorldSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both suites run through the {@link Benchmark} SPI against models plugged in from outside. */
class SuiteBenchmarksTest {
  @TempDir
  Path tmp;

  @Test
  void bothSuitesAreRegisteredBenchmarks() {
    assertThat(Registries.benchmarks().names()).contains("geneval", "mmbench");
    Benchmark geneval = Registries.benchmarks().get("geneval").create(Map.of());
    assertThat(geneval.size()).isEqualTo(GenEvalSuite.defaultSuite().size());
    Benchmark mmbench = Registries.benchmarks().get("mmbench").create(Map.of("questions", "12"));
    assertThat(mmbench.size()).isEqualTo(12);
  }

  @Test
  void genEvalScoresAnOracleModelPerfectlyAndABlankModelAtZero() throws Exception {
    List<GenEvalPrompt> suite = GenEvalSuite.defaultSuite();
    Map<String, GenEvalPrompt> byText = new HashMap<>();
    suite.forEach(p -> byText.put(p.prompt(), p));
    GenEvalOracle oracle = new GenEvalOracle(WorldSpec.standard());
    WorldModel drawer = new WorldModel(
        r -> oracle.images(byText.get(r.prompt()), 0, r.samples(), r.sampling().seed()), r -> "A");
    BenchmarkOptions options = new BenchmarkOptions(40, 2, BenchmarkOptions.defaults().sampling(), 16);

    BenchmarkScore score = new GenEvalBenchmark(suite, "default", ShapesWorld.standard()).run(drawer, options, tmp.resolve("oracle"), (d, t, m) -> {});

    assertThat(score.overall()).isEqualTo(1.0);
    assertThat(score.details()).containsEntry("prompts", 40).containsEntry("images", 80);
    assertThat(drawer.batches.get()).isEqualTo(3); // 40 prompts in batches of 16
    assertThat(tmp.resolve("oracle/images/00039/samples/0001.png")).exists();
    assertThat(tmp.resolve("oracle/summary.json")).exists();

    BufferedImage blank = new SceneRenderer(WorldSpec.standard()).render(new Scene(List.of()));
    UnifiedModel blankModel = new WorldModel(r -> java.util.Collections.nCopies(r.samples(), blank), r -> "A");
    assertThat(new GenEvalBenchmark(suite, "default", ShapesWorld.standard()).run(blankModel, options, tmp.resolve("blank"), (d, t, m) -> {})
        .overall()).isZero();
  }

  @Test
  void mmbenchScoresTrueAnswersPerfectlyAndAlwaysAAtChance() throws Exception {
    List<MmbenchQuestion> rows = CircularEval.expand(MmbenchSuite.questions(WorldSpec.standard(), 5, 60));
    Map<String, String> truth = new HashMap<>();
    for (MmbenchQuestion row : rows) {
      truth.put(row.prompt() + Images.toBase64Png(row.decodeImage()), row.answer());
    }
    UnifiedModel knower = new WorldModel(r -> List.of(), r -> "The answer is " + truth.get(r.prompt() + Images.toBase64Png(r.image())));
    BenchmarkOptions options = new BenchmarkOptions(0, 1, BenchmarkOptions.defaults().sampling(), 32);

    BenchmarkScore right = new MmbenchBenchmark(rows, "test").run(knower, options, tmp.resolve("right"), (d, t, m) -> {});
    BenchmarkScore alwaysA = new MmbenchBenchmark(rows, "test").run(new WorldModel(r -> List.of(), r -> "A"),
        options.withLimit(30), tmp.resolve("a"), (d, t, m) -> {});

    assertThat(right.overall()).isEqualTo(1.0);
    assertThat(right.details()).containsEntry("questions", 60);
    assertThat(alwaysA.overall()).isLessThanOrEqualTo(0.30);
    assertThat(alwaysA.details()).containsEntry("questions", 30);
    assertThat(Files.readAllLines(tmp.resolve("a/predictions.tsv"))).allSatisfy(l -> assertThat(l).endsWith("\tA"));
  }

  @Test
  void emptySuitesAndMisbehavingModelsGetSpecificErrors() {
    assertThatThrownBy(() -> new GenEvalBenchmark(List.of(), "nothing.jsonl", ShapesWorld.standard())).hasMessageContaining("empty: nothing.jsonl");
    UnifiedModel silent = new WorldModel(r -> List.of(), r -> "A") {
      @Override
      public List<List<BufferedImage>> generate(List<GenerationRequest> requests) {
        return List.of();
      }
    };
    assertThatThrownBy(() -> new GenEvalBenchmark(GenEvalSuite.defaultSuite(), "default", ShapesWorld.standard())
        .run(silent, BenchmarkOptions.defaults().withLimit(3), tmp.resolve("silent"), (d, t, m) -> {}))
        .hasMessageContaining("returned 0 image lists for 3 prompts");
    assertThat(tmp.resolve("silent/images")).doesNotExist();
  }

  /** A model plugged in the way a third party would: functions behind the SPI. */
  private static class WorldModel implements UnifiedModel {
    private final Function<GenerationRequest, List<BufferedImage>> draw;
    private final Function<AnswerRequest, String> reply;
    final AtomicInteger batches = new AtomicInteger();

    WorldModel(Function<GenerationRequest, List<BufferedImage>> draw, Function<AnswerRequest, String> reply) {
      this.draw = draw;
      this.reply = reply;
    }

    @Override
    public String name() {
      return "world-test-model";
    }

    @Override
    public List<String> answer(List<AnswerRequest> requests) {
      return requests.stream().map(reply).toList();
    }

    @Override
    public List<List<BufferedImage>> generate(List<GenerationRequest> requests) {
      batches.incrementAndGet();
      List<List<BufferedImage>> out = new ArrayList<>();
      requests.forEach(r -> out.add(draw.apply(r)));
      return out;
    }

    @Override
    public void close() {}
  }
}
