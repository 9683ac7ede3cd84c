package org.aia4j.evaluation.mmbench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.aia4j.api.benchmark.Benchmark;
import org.aia4j.api.benchmark.BenchmarkProvider;
import org.aia4j.evaluation.geneval.GenEvalBenchmarkProvider;
import org.aia4j.evaluation.world.World;
import org.aia4j.evaluation.world.Worlds;

/**
 * Registers {@link MmbenchBenchmark} as {@code mmbench}. Config: {@code data} (an MMBench TSV;
 * default: the suite of the world named by {@code world}, default {@code shapes}), {@code seed},
 * {@code questions}.
 */
public final class MmbenchBenchmarkProvider implements BenchmarkProvider {
  @Override
  public String name() {
    return "mmbench";
  }

  @Override
  public int rank() {
    return 20;
  }

  @Override
  public Benchmark create(Map<String, String> config) {
    String data = config.get("data");
    if (data != null) {
      try {
        return MmbenchBenchmark.fromFile(Path.of(data));
      } catch (IOException e) {
        throw new UncheckedIOException(e.getMessage(), e);
      }
    }
    long seed = Long.parseLong(config.getOrDefault("seed", Long.toString(MmbenchSuite.DEFAULT_SEED)));
    int questions = Integer.parseInt(config.getOrDefault("questions", Integer.toString(MmbenchSuite.DEFAULT_QUESTIONS)));
    World world;
    try {
      world = Worlds.get(config.get(GenEvalBenchmarkProvider.WORLD), config);
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
    return new MmbenchBenchmark(CircularEval.expand(MmbenchSuite.questions(world, seed, questions)),
        "the " + world.name() + " world (seed " + seed + ", " + questions + " questions)");
  }
}
