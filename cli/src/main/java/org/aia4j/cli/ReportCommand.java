package org.aia4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.aia4j.evaluation.report.ReportOptions;
import org.aia4j.evaluation.report.ReportWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code aia report}: one self-contained HTML page comparing eval runs and interaction profiles. */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = {"Write one self-contained HTML page (charts and images inlined) comparing runs: per-layer"
        + " interaction I_l against the stage targets, training curves, GenEval-style and MMBench-style scores,"
        + " generated images beside their prompts, a side-by-side table and each run's provenance.",
        "Inputs are aia eval run directories or server evaluation job directories (with summary.json) and/or"
            + " aia profile JSON files."})
final class ReportCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "RUN_DIR|PROFILE.json",
      description = "Eval run directories (aia eval --out) or profile files (aia profile --out), in legend order.")
  List<Path> inputs;

  @Option(names = "--out", required = true, description = "The HTML file to write.")
  Path out;

  @Option(names = "--title", defaultValue = "aia4j report", description = "Page title (default: ${DEFAULT-VALUE}).")
  String title;

  @Option(names = "--prompts", defaultValue = "8",
      description = "GenEval prompts whose images are shown, per run; 0 for none (default: ${DEFAULT-VALUE}).")
  int prompts;

  @Option(names = "--smooth", defaultValue = "25",
      description = "Moving-average window of the training curves, in logged steps (default: ${DEFAULT-VALUE}).")
  int smooth;

  @Option(names = "--tail", defaultValue = "20",
      description = "The table's final losses average this many last logged steps (default: ${DEFAULT-VALUE}).")
  int tail;

  @Override
  public Integer call() throws Exception {
    write(inputs, out, new ReportOptions(title, prompts, smooth, tail), spec.commandLine().getOut());
    return 0;
  }

  /** Writes a report as {@code aia report} does and says what it wrote; the loops call this too. */
  static ReportWriter.Result write(List<Path> inputs, Path out, ReportOptions options, PrintWriter console)
      throws java.io.IOException {
    ReportWriter.Result result = new ReportWriter(options).write(inputs, out);
    for (String note : result.notes()) {
      console.println("note: " + note);
    }
    console.printf("Wrote %s (%d %s, %d charts, %d images, %d KB)%n", out, result.runs().size(),
        result.runs().size() == 1 ? "run" : "runs", result.charts(), result.images(), (result.bytes() + 1023) / 1024);
    console.flush();
    return result;
  }
}
