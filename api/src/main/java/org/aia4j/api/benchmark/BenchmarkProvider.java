package org.aia4j.api.benchmark;

import java.util.Map;
import org.aia4j.api.spi.Provider;

/**
 * Makes {@link Benchmark}s. Registered in {@code
 * META-INF/services/org.aia4j.api.benchmark.BenchmarkProvider}; a new suite plugs in as a jar.
 */
public interface BenchmarkProvider extends Provider {

  /**
   * @param config benchmark-specific settings, e.g. {@code data=/path/to/MMBench_DEV_EN.tsv};
   *     an empty map means the built-in data. Unknown keys should be rejected, listing known ones
   * @return the benchmark
   * @throws IllegalArgumentException if the config is invalid
   */
  Benchmark create(Map<String, String> config);
}
