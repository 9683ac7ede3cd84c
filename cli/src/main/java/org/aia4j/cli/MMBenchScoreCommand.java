package org.aia4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.aia4j.evaluation.mmbench.MmbenchScore;
import org.aia4j.evaluation.mmbench.MmbenchScorer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aia score mmbench}: CircularEval over a predictions file. */
@Command(name = "mmbench", mixinStandardHelpOptions = true,
    description = "Score MMBench-style predictions (index<TAB>answer lines) with CircularEval; writes summary.json.")
final class MMBenchScoreCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--data", required = true, description = "The MMBench TSV the predictions answer.")
  Path data;

  @Option(names = "--predictions", required = true, description = "One 'index<TAB>raw answer text' line per row.")
  Path predictions;

  @Option(names = "--out", required = true, description = "Where summary.json and results.jsonl go.")
  Path out;

  @Override
  public Integer call() throws Exception {
    print(spec.commandLine().getOut(), MmbenchScorer.score(data, predictions, out));
    return 0;
  }

  static void print(PrintWriter out, MmbenchScore score) {
    out.printf("MMBench-style circular %.4f, vanilla %.4f over %d questions (%d rows, %d missing)%n",
        score.overall(), score.vanilla(), score.questions(), score.copies(), score.missing());
    for (Map.Entry<String, Double> category : score.categories().entrySet()) {
      out.printf("  %-22s %.4f%n", category.getKey(), category.getValue());
    }
    out.flush();
  }
}
