package org.aia4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.aia4j.evaluation.geneval.GenEvalMetadata;
import org.aia4j.evaluation.geneval.GenEvalOracle;
import org.aia4j.evaluation.geneval.GenEvalScorer;
import org.aia4j.evaluation.geneval.GenEvalSuite;
import org.aia4j.evaluation.geneval.GenEvalSummary;
import org.aia4j.evaluation.io.JsonLines;
import org.aia4j.evaluation.mmbench.MmbenchPredictions;
import org.aia4j.evaluation.mmbench.MmbenchQuestion;
import org.aia4j.evaluation.mmbench.MmbenchScore;
import org.aia4j.evaluation.mmbench.MmbenchScorer;
import org.aia4j.evaluation.mmbench.MmbenchSuite;
import org.aia4j.evaluation.mmbench.MmbenchTsv;
import org.aia4j.evaluation.world.WorldSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aia quickstart}: the main loop on the embedded world. Until training lands it runs the
 * world self-check: both default suites are built, scored with their ground truth (which must
 * score 1.0) and with chance baselines (which must stay low), so the scorers are proven before
 * any model is.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
    description = "Run the main loop on the embedded world (today: the benchmark self-check).")
final class QuickstartCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--out", defaultValue = "quickstart", description = "Output folder (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--samples", defaultValue = "4", description = "Oracle images per GenEval prompt (default: ${DEFAULT-VALUE}).")
  int samples;

  @Override
  public Integer call() throws Exception {
    PrintWriter console = spec.commandLine().getOut();
    Path geneval = out.resolve("geneval");
    Path mmbench = out.resolve("mmbench");
    // Only the folders this command creates are cleared, so a re-run starts fresh.
    deleteTree(geneval);
    deleteTree(mmbench);
    Map<String, Object> summary = new LinkedHashMap<>();
    GenEvalSummary oracleImages;
    MmbenchScore truth;
    MmbenchScore alwaysA;
    try (ProgressBar bar = new ProgressBarBuilder().setTaskName("self-check").setInitialMax(5)
        .setStyle(ProgressBarStyle.ASCII).continuousUpdate().build()) {
      bar.setExtraMessage(" GenEval-style suite");
      Path metadata = geneval.resolve(GenEvalMetadata.FILE_NAME);
      GenEvalMetadata.write(metadata, GenEvalSuite.generate(WorldSpec.standard(), GenEvalSuite.DEFAULT_SEED));
      bar.step();
      bar.setExtraMessage(" oracle images");
      GenEvalOracle.render(metadata, geneval.resolve("oracle-images"), samples, 32, GenEvalOracle.DEFAULT_SEED);
      oracleImages = GenEvalScorer.score(geneval.resolve("oracle-images"), geneval.resolve("oracle-score"));
      bar.step();
      bar.setExtraMessage(" MMBench-style suite");
      Path tsv = mmbench.resolve("mmbench.tsv");
      MmbenchSuite.writeCircularTsv(tsv, MmbenchSuite.DEFAULT_SEED, MmbenchSuite.DEFAULT_QUESTIONS);
      List<MmbenchQuestion> rows = MmbenchTsv.read(tsv).rows();
      bar.step();
      bar.setExtraMessage(" MMBench-style scoring");
      Map<Long, String> truthAnswers = new LinkedHashMap<>();
      Map<Long, String> letterA = new LinkedHashMap<>();
      for (MmbenchQuestion row : rows) {
        truthAnswers.put(row.index(), row.answer());
        letterA.put(row.index(), "A");
      }
      MmbenchPredictions.write(mmbench.resolve("truth.predictions.tsv"), truthAnswers);
      MmbenchPredictions.write(mmbench.resolve("always-a.predictions.tsv"), letterA);
      truth = MmbenchScorer.score(tsv, mmbench.resolve("truth.predictions.tsv"), mmbench.resolve("truth-score"));
      alwaysA = MmbenchScorer.score(tsv, mmbench.resolve("always-a.predictions.tsv"), mmbench.resolve("always-a-score"));
      bar.step();
      bar.setExtraMessage(" summary");
      summary.put("geneval_oracle_overall", oracleImages.overall());
      summary.put("mmbench_truth_circular", truth.overall());
      summary.put("mmbench_always_a_circular", alwaysA.overall());
      summary.put("mmbench_always_a_vanilla", alwaysA.vanilla());
      JsonLines.writeJson(out.resolve("self-check.json"), summary);
      bar.step();
    }

    console.println();
    console.println("World self-check                          GenEval-style  MMBench circular (vanilla)");
    console.printf("  ground truth (oracle images / answers)    %.3f          %.3f (%.3f)%n",
        oracleImages.overall(), truth.overall(), truth.vanilla());
    console.printf("  chance baseline (always 'A')              -              %.3f (%.3f)%n",
        alwaysA.overall(), alwaysA.vanilla());
    console.printf("Outputs in %s%n", out.toAbsolutePath());
    console.println("Not yet built: training (aia train) and checkpoint evaluation (aia eval); once they land,");
    console.println("this command trains the small model with and without AIA and compares them here.");
    console.flush();
    boolean healthy = oracleImages.overall() >= 0.99 && truth.overall() >= 0.999 && alwaysA.overall() <= 0.30;
    if (!healthy) {
      spec.commandLine().getErr().println("aia quickstart: the self-check failed: the scorers disagree with the ground truth");
      return 1;
    }
    return 0;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
