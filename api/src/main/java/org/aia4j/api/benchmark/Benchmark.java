package org.aia4j.api.benchmark;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.aia4j.api.model.UnifiedModel;

/**
 * A suite that scores a model, e.g. GenEval-style generation or MMBench-style understanding. It
 * reaches the model only through {@link UnifiedModel}, so it works with every backend.
 */
public interface Benchmark {

  /** @return the benchmark's name, e.g. {@code geneval} */
  String name();

  /** @return one line saying what it measures, for {@code aia bench --list} */
  String description();

  /** @return how many items (prompts or questions) the full benchmark has */
  int size();

  /**
   * Runs the benchmark.
   *
   * @param model the model to score; not closed by the benchmark
   * @param options subset, batching and sampling
   * @param outDir where to write per-item outputs (answers, images) and the report; created if
   *     missing
   * @param progress told after each batch
   * @return the score, with the options and model info in its details
   * @throws IOException if the data cannot be read or the outputs written
   */
  BenchmarkScore run(
      UnifiedModel model, BenchmarkOptions options, Path outDir, ProgressListener progress)
      throws IOException;

  /** @return whether {@link #handOff} writes this benchmark's outputs for an external scorer */
  default boolean canHandOff() {
    return false;
  }

  /**
   * Writes the model's outputs in the benchmark's official layout for an external scorer, without
   * scoring them: e.g. GenEval's image folders for its Mask2Former scorer, when the prompts name
   * classes no judge of aia4j's can read.
   *
   * @param model the model; not closed by the benchmark
   * @param options subset, batching and sampling
   * @param outDir where the outputs go; created if missing
   * @param progress told after each batch
   * @return what was written (folder, counts), recorded in the run's summary
   * @throws IOException if the outputs cannot be written
   * @throws UnsupportedOperationException if the benchmark has nothing to hand off (the default)
   */
  default Map<String, Object> handOff(
      UnifiedModel model, BenchmarkOptions options, Path outDir, ProgressListener progress)
      throws IOException {
    throw new UnsupportedOperationException("The " + name() + " benchmark writes nothing for an external scorer; "
        + "only benchmarks that draw images (geneval) can run unscored");
  }
}
