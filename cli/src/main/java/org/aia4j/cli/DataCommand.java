package org.aia4j.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.aia4j.evaluation.geneval.GenEvalMetadata;
import org.aia4j.evaluation.geneval.GenEvalPrompt;
import org.aia4j.evaluation.geneval.GenEvalSuite;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aia data ...}: writes a world's benchmark suites in official formats. */
@Command(name = "data", mixinStandardHelpOptions = true,
    description = "Write a world's benchmark suites in the official file formats.",
    subcommands = {DataCommand.GenEval.class, MMBenchDataCommand.class, DataExportCommand.class})
final class DataCommand extends CommandGroup {
  /** {@code aia data geneval}. */
  @Command(name = "geneval", mixinStandardHelpOptions = true,
      description = "Write a GenEval-style evaluation_metadata.jsonl for a world (--world).")
  static final class GenEval implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, description = "The metadata file to write (.jsonl).")
    Path out;

    @Mixin
    SeedOption seed = new SeedOption(GenEvalSuite.DEFAULT_SEED);

    @Mixin
    WorldOption world = new WorldOption();

    @Override
    public Integer call() throws Exception {
      List<GenEvalPrompt> prompts = GenEvalSuite.generate(world.world().spec(), seed.seed());
      GenEvalMetadata.write(out, prompts);
      Map<String, Integer> perTag = new TreeMap<>();
      prompts.forEach(p -> perTag.merge(p.tag(), 1, Integer::sum));
      spec.commandLine().getOut().printf("Wrote %d prompts to %s %s%n", prompts.size(), out, perTag);
      return 0;
    }
  }
}
