package org.aia4j.evaluation.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.aia4j.api.benchmark.Benchmark;
import org.aia4j.api.benchmark.BenchmarkProvider;
import org.aia4j.api.spi.ProviderRegistry;
import org.aia4j.evaluation.geneval.GenEvalBenchmarkProvider;

/**
 * The benchmarks an evaluation runs, created through the benchmark registry, in the order asked
 * for. Everything that can be refused is refused here, before any model is loaded.
 */
public final class EvalSuites {
  private EvalSuites() {}

  /**
   * Creates the suites asked for, each once; names are matched ignoring case and blank names are
   * skipped. The GenEval-style suite reads {@link EvalSettings#genevalMetadata()} and the
   * MMBench-style suite {@link EvalSettings#mmbenchTsv()} when given.
   *
   * @param registry the benchmarks to choose from
   * @param names the benchmarks asked for
   * @param settings the run's settings (for the suite files)
   * @return the suites by registered name, in the order asked for
   * @throws IllegalArgumentException for an unknown name (listing the known ones), a suite file
   *     that does not exist or whose suite is not asked for, an empty suite, or no name at all
   */
  public static Map<String, Benchmark> create(ProviderRegistry<BenchmarkProvider> registry, List<String> names,
      EvalSettings settings) {
    Map<String, Benchmark> suites = new LinkedHashMap<>();
    for (String requested : new LinkedHashSet<>(names)) {
      String name = requested.strip().toLowerCase(Locale.ROOT);
      if (name.isEmpty()) {
        continue;
      }
      BenchmarkProvider provider = registry.get(name); // unknown: the message lists the known ones
      Map<String, String> config = new LinkedHashMap<>();
      config.put(GenEvalBenchmarkProvider.WORLD, settings.world());
      if (settings.imagesOnly()) {
        config.put(GenEvalBenchmarkProvider.IMAGES_ONLY, "true");
      }
      if (name.equals("geneval") && settings.genevalMetadata() != null) {
        config.put("metadata", existing(settings.genevalMetadata(), "--geneval-metadata"));
      }
      if (name.equals("mmbench") && settings.mmbenchTsv() != null) {
        config.put("data", existing(settings.mmbenchTsv(), "--mmbench-tsv"));
      }
      SuiteOptions sizes = settings.suites();
      if (sizes.seed() != null) {
        config.put("seed", Long.toString(sizes.seed()));
      }
      if (name.equals("mmbench") && sizes.mmbenchQuestions() > 0) {
        config.put("questions", Integer.toString(sizes.mmbenchQuestions()));
      }
      if (name.equals("geneval") && sizes.genevalPerTag() > 0) {
        config.put(GenEvalBenchmarkProvider.PER_TAG, Integer.toString(sizes.genevalPerTag()));
      }
      Benchmark suite = provider.create(config);
      if (settings.imagesOnly() && !suite.canHandOff()) {
        throw new IllegalArgumentException("--images-only hands images off to an external scorer, and " + name
            + " draws no images; run it without --images-only, or pass --benchmarks geneval");
      }
      if (suite.size() == 0) {
        throw new IllegalArgumentException("The " + name + " suite is empty: " + suite.description());
      }
      suites.put(provider.name(), suite);
    }
    if (suites.isEmpty()) {
      throw new IllegalArgumentException("--benchmarks names no benchmark. Known benchmarks: "
          + String.join(", ", registry.names()));
    }
    if (settings.genevalMetadata() != null && !suites.containsKey("geneval")) {
      throw new IllegalArgumentException("--geneval-metadata is given but geneval is not in --benchmarks");
    }
    if (settings.mmbenchTsv() != null && !suites.containsKey("mmbench")) {
      throw new IllegalArgumentException("--mmbench-tsv is given but mmbench is not in --benchmarks");
    }
    return Collections.unmodifiableMap(suites);
  }

  private static String existing(String file, String option) {
    if (!Files.isRegularFile(Path.of(file))) {
      throw new IllegalArgumentException(option + " " + file + " does not exist");
    }
    return file;
  }
}
