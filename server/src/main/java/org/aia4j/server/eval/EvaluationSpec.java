package org.aia4j.server.eval;

import java.util.List;
import org.aia4j.api.benchmark.BenchmarkOptions;
import org.aia4j.api.model.SamplingSettings;

/**
 * What an evaluation job runs, as {@code aia eval} would: the benchmarks, the subset, and the
 * sampling settings, recorded in the job so its scores can be reproduced.
 *
 * @param benchmarks registered benchmark names, in order
 * @param limit first N items of each suite; 0 = all
 * @param samples images per generation prompt
 * @param cfg classifier-free guidance weight for images
 * @param temperature image sampling temperature
 * @param answerTemperature answer sampling temperature (0 = greedy)
 * @param topK top-k cut-off, 0 = none
 * @param seed sampling seed
 * @param batch requests per benchmark call
 */
public record EvaluationSpec(List<String> benchmarks, int limit, int samples, double cfg, double temperature,
    double answerTemperature, int topK, long seed, int batch) {

  // Validates through the api's own records, which name the field at fault.
  public EvaluationSpec {
    benchmarks = List.copyOf(benchmarks);
    if (benchmarks.isEmpty()) {
      throw new IllegalArgumentException("benchmarks must name at least one benchmark");
    }
    new SamplingSettings(cfg, temperature, topK, seed);
    new SamplingSettings(1.0, answerTemperature, topK, seed);
    new BenchmarkOptions(limit, samples, SamplingSettings.defaults(), batch);
  }

  /** @return the options for a benchmark: answers sample with the answer temperature, images with CFG */
  BenchmarkOptions options(String benchmark) {
    SamplingSettings sampling = benchmark.equals("mmbench")
        ? new SamplingSettings(1.0, answerTemperature, topK, seed)
        : new SamplingSettings(cfg, temperature, topK, seed);
    return new BenchmarkOptions(limit, samples, sampling, batch);
  }
}
