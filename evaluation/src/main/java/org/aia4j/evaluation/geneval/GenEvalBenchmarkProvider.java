package org.aia4j.evaluation.geneval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.aia4j.api.benchmark.Benchmark;
import org.aia4j.api.benchmark.BenchmarkProvider;
import org.aia4j.evaluation.world.World;
import org.aia4j.evaluation.world.Worlds;

/**
 * Registers {@link GenEvalBenchmark} as {@code geneval}. Config: {@code world} (whose judge
 * scores, default {@code shapes}), {@code metadata} (an official or aia4j {@code
 * evaluation_metadata.jsonl}; default: the world's suite), {@code seed}; the world's own keys
 * (e.g. {@code size}) are passed on to it; {@code imagesOnly} ({@code true}: the images are
 * drawn for the official scorer and not judged, so the metadata may name any class).
 */
public final class GenEvalBenchmarkProvider implements BenchmarkProvider {
  /** Config key naming the world whose suite and judge are used (default {@value Worlds#DEFAULT}). */
  public static final String WORLD = "world";

  /** Config key: {@code true} makes a suite that only draws its images ({@link GenEvalBenchmark#handOff}). */
  public static final String IMAGES_ONLY = "imagesOnly";

  /** Config key: GenEval-style entries per tag of the embedded suite ({@link GenEvalSuite#generate(org.aia4j.evaluation.world.WorldSpec, long, int)}). */
  public static final String PER_TAG = "per_tag";

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
    World world;
    try {
      world = Worlds.get(config.get(WORLD), config);
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
    boolean judged = !Boolean.parseBoolean(config.getOrDefault(IMAGES_ONLY, "false"));
    String metadata = config.get("metadata");
    if (metadata != null) {
      try {
        return new GenEvalBenchmark(GenEvalMetadata.read(Path.of(metadata)), metadata, world, judged);
      } catch (IOException e) {
        throw new UncheckedIOException(e.getMessage(), e);
      }
    }
    long seed = Long.parseLong(config.getOrDefault("seed", Long.toString(GenEvalSuite.DEFAULT_SEED)));
    int perTag = Integer.parseInt(config.getOrDefault(PER_TAG, "0"));
    return new GenEvalBenchmark(GenEvalSuite.generate(world.spec(), seed, perTag),
        "the " + world.name() + " world (seed " + seed + (perTag > 0 ? ", " + perTag + " per tag" : "") + ")", world,
        judged);
  }
}
