package org.aia4j.evaluation.geneval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.aia4j.api.benchmark.Benchmark;
import org.aia4j.api.benchmark.BenchmarkProvider;
import org.aia4j.evaluation.world.WorldSpec;

/**
 * Registers {@link GenEvalBenchmark} as {@code geneval}. Config: {@code metadata} (an official
 * or aia4j {@code evaluation_metadata.jsonl}; default: the embedded world's suite), {@code seed}.
 */
public final class GenEvalBenchmarkProvider implements BenchmarkProvider {
  @Override
  public String name() {
    return "geneval";
  }

  @Override
  public int rank() {
    return 10;
  }

  @Override
  public Benchmark create(Map<String, String> config) {
    String metadata = config.get("metadata");
    if (metadata != null) {
      try {
        return new GenEvalBenchmark(GenEvalMetadata.read(Path.of(metadata)), metadata);
      } catch (IOException e) {
        throw new UncheckedIOException(e.getMessage(), e);
      }
    }
    long seed = Long.parseLong(config.getOrDefault("seed", Long.toString(GenEvalSuite.DEFAULT_SEED)));
    return new GenEvalBenchmark(GenEvalSuite.generate(WorldSpec.standard(), seed),
        "the embedded world (seed " + seed + ")");
  }
}
