package org.aia4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.aia4j.evaluation.geneval.GenEvalScorer;
import org.aia4j.evaluation.geneval.GenEvalSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aia score ...}: scores generated images or answers with the suites' official rules. */
@Command(name = "score", mixinStandardHelpOptions = true,
    description = "Score images (GenEval-style) or answers (MMBench-style).",
    subcommands = {ScoreCommand.GenEval.class, MMBenchScoreCommand.class})
final class ScoreCommand extends CommandGroup {
  /** {@code aia score geneval}. */
  @Command(name = "geneval", mixinStandardHelpOptions = true,
      description = "Score a GenEval image folder with GenEval's rules; writes results.jsonl and summary.json.")
  static final class GenEval implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--images", required = true, description = "GenEval's layout: <dir>/00000/metadata.jsonl, samples/0000.png ...")
    Path images;

    @Option(names = "--out", required = true, description = "Where results.jsonl and summary.json go.")
    Path out;

    @Mixin
    WorldOption world = new WorldOption();

    @Override
    public Integer call() throws Exception {
      GenEvalSummary summary = GenEvalScorer.score(world.world(), images, out);
      print(spec.commandLine().getOut(), summary);
      return 0;
    }

    static void print(PrintWriter out, GenEvalSummary summary) {
      out.printf("GenEval-style overall %.4f over %d images (%d prompts)%n",
          summary.overall(), summary.images(), summary.prompts());
      for (Map.Entry<String, Double> task : summary.tasks().entrySet()) {
        out.printf("  %-14s %.4f%n", task.getKey(), task.getValue());
      }
      out.flush();
    }
  }
}
