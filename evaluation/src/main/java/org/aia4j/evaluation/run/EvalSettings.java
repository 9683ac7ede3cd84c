package org.aia4j.evaluation.run;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.aia4j.api.benchmark.BenchmarkOptions;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.evaluation.world.Worlds;

/**
 * Every setting of an evaluation run, as {@code aia eval} takes them and {@code summary.json}
 * records them (snake_case), so that a run's scores can be reproduced from its summary alone.
 *
 * @param limit first N items of each suite; 0 = all
 * @param samples images per generation prompt
 * @param cfg classifier-free guidance weight for images
 * @param temperature image sampling temperature; 0 = greedy
 * @param answerTemperature answer sampling temperature; 0 = greedy
 * @param topK sample among the K most likely tokens; 0 = all
 * @param seed sampling seed of both images and answers
 * @param batch prompts or questions per model call
 * @param backend the backend (or model provider) that ran the model
 * @param device the device it ran on, e.g. {@code cpu}, {@code cuda:0}
 * @param genevalMetadata a GenEval {@code evaluation_metadata.jsonl} in place of the embedded
 *     suite, or null
 * @param mmbenchTsv an MMBench TSV in place of the embedded suite, or null
 * @param interactionSamples samples each interaction curve is measured on; 0 = no curves
 * @param world the world whose suites run and whose judge scores them ({@code shapes} when a
 *     summary written before worlds existed names none)
 * @param imagesOnly the GenEval-style suite only draws its images in GenEval's folder layout and
 *     is not scored (a hand-off to the official scorer)
 * @param suites the embedded suites' sizes and seed (defaults when a summary names none)
 * @param curves the query and key sets of the interaction curves (defaults when a summary names none)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record EvalSettings(int limit, int samples, double cfg, double temperature, double answerTemperature, int topK,
    long seed, int batch, String backend, String device, String genevalMetadata, String mmbenchTsv,
    int interactionSamples, String world, boolean imagesOnly, SuiteOptions suites, CurveOptions curves) {

  /** Samples each interaction curve is measured on by default. */
  public static final int DEFAULT_INTERACTION_SAMPLES = 128;

  // Validates through the api's own records, which name the field at fault.
  public EvalSettings {
    world = world == null ? Worlds.DEFAULT : world;
    suites = suites == null ? SuiteOptions.DEFAULTS : suites;
    curves = curves == null ? CurveOptions.DEFAULTS : curves;
    if (world.isBlank()) {
      throw new IllegalArgumentException("world must not be blank");
    }
    new SamplingSettings(cfg, temperature, topK, seed);
    new SamplingSettings(1.0, answerTemperature, topK, seed);
    new BenchmarkOptions(limit, samples, SamplingSettings.defaults(), batch);
    if (backend == null || backend.isBlank()) {
      throw new IllegalArgumentException("backend must not be blank");
    }
    if (device == null || device.isBlank()) {
      throw new IllegalArgumentException("device must not be blank");
    }
    if (interactionSamples < 0) {
      throw new IllegalArgumentException("interactionSamples must be >= 0 (0 = no curves), got "
          + interactionSamples);
    }
  }

  /** Settings on the default world, every suite scored. */
  public EvalSettings(int limit, int samples, double cfg, double temperature, double answerTemperature, int topK,
      long seed, int batch, String backend, String device, String genevalMetadata, String mmbenchTsv,
      int interactionSamples) {
    this(limit, samples, cfg, temperature, answerTemperature, topK, seed, batch, backend, device, genevalMetadata,
        mmbenchTsv, interactionSamples, Worlds.DEFAULT, false, SuiteOptions.DEFAULTS, CurveOptions.DEFAULTS);
  }

  /**
   * @param world a world's name
   * @return these settings on that world
   */
  public EvalSettings withWorld(String world) {
    return new EvalSettings(limit, samples, cfg, temperature, answerTemperature, topK, seed, batch, backend, device,
        genevalMetadata, mmbenchTsv, interactionSamples, world, imagesOnly, suites, curves);
  }

  /**
   * @param imagesOnly whether the GenEval-style suite only draws its images
   * @return these settings so
   */
  public EvalSettings withImagesOnly(boolean imagesOnly) {
    return new EvalSettings(limit, samples, cfg, temperature, answerTemperature, topK, seed, batch, backend, device,
        genevalMetadata, mmbenchTsv, interactionSamples, world, imagesOnly, suites, curves);
  }

  /** Settings of a summary written before suite and curve options existed: both at their defaults. */
  public EvalSettings(int limit, int samples, double cfg, double temperature, double answerTemperature, int topK,
      long seed, int batch, String backend, String device, String genevalMetadata, String mmbenchTsv,
      int interactionSamples, String world, boolean imagesOnly) {
    this(limit, samples, cfg, temperature, answerTemperature, topK, seed, batch, backend, device, genevalMetadata,
        mmbenchTsv, interactionSamples, world, imagesOnly, SuiteOptions.DEFAULTS, CurveOptions.DEFAULTS);
  }

  /**
   * @param suites the embedded suites' sizes and seed
   * @return these settings with those suites
   */
  public EvalSettings withSuites(SuiteOptions suites) {
    return new EvalSettings(limit, samples, cfg, temperature, answerTemperature, topK, seed, batch, backend, device,
        genevalMetadata, mmbenchTsv, interactionSamples, world, imagesOnly, suites, curves);
  }

  /**
   * @param curves the query and key sets of the interaction curves
   * @return these settings with those sets
   */
  public EvalSettings withCurves(CurveOptions curves) {
    return new EvalSettings(limit, samples, cfg, temperature, answerTemperature, topK, seed, batch, backend, device,
        genevalMetadata, mmbenchTsv, interactionSamples, world, imagesOnly, suites, curves);
  }

  /**
   * @param interactionSamples samples each interaction curve is measured on; 0 = no curves
   * @return these settings so
   */
  public EvalSettings withInteractionSamples(int interactionSamples) {
    return new EvalSettings(limit, samples, cfg, temperature, answerTemperature, topK, seed, batch, backend, device,
        genevalMetadata, mmbenchTsv, interactionSamples, world, imagesOnly, suites, curves);
  }

  /**
   * The settings {@code aia eval} uses when given none: every item, 4 images per prompt, CFG 2,
   * temperature 1 for images and greedy answers, no top-k, seed 0, 16 per call, on the CPU, the
   * embedded suites, {@value #DEFAULT_INTERACTION_SAMPLES} interaction samples.
   *
   * @param backend the backend that runs the model
   * @return the default settings
   */
  public static EvalSettings defaults(String backend) {
    return new EvalSettings(0, 4, 2.0, 1.0, 0.0, 0, 0, 16, backend, "cpu", null, null, DEFAULT_INTERACTION_SAMPLES);
  }

  /**
   * @param limit first N items of each suite; 0 = all
   * @param samples images per generation prompt
   * @return these settings on that subset
   */
  public EvalSettings withSubset(int limit, int samples) {
    return new EvalSettings(limit, samples, cfg, temperature, answerTemperature, topK, seed, batch, backend, device,
        genevalMetadata, mmbenchTsv, interactionSamples, world, imagesOnly, suites, curves);
  }

  /**
   * @param seed the sampling seed
   * @return these settings with that seed
   */
  public EvalSettings withSeed(long seed) {
    return new EvalSettings(limit, samples, cfg, temperature, answerTemperature, topK, seed, batch, backend, device,
        genevalMetadata, mmbenchTsv, interactionSamples, world, imagesOnly, suites, curves);
  }

  /**
   * The options a benchmark runs with: the MMBench-style suite answers, so it samples with the
   * answer temperature and no guidance; every other suite generates images, with CFG.
   *
   * @param benchmark the benchmark's registered name
   * @return its options
   */
  public BenchmarkOptions options(String benchmark) {
    SamplingSettings sampling = benchmark.equals("mmbench")
        ? new SamplingSettings(1.0, answerTemperature, topK, seed)
        : new SamplingSettings(cfg, temperature, topK, seed);
    return new BenchmarkOptions(limit, samples, sampling, batch);
  }
}
