package org.aia4j.evaluation.geneval;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.aia4j.api.benchmark.Benchmark;
import org.aia4j.api.benchmark.BenchmarkOptions;
import org.aia4j.api.benchmark.BenchmarkScore;
import org.aia4j.api.benchmark.ProgressListener;
import org.aia4j.api.model.GenerationRequest;
import org.aia4j.api.model.UnifiedModel;
import org.aia4j.evaluation.world.World;

/**
 * The GenEval-style suite as a {@link Benchmark}: the model draws {@code samplesPerPrompt}
 * images per prompt, batched; they are written in GenEval's folder layout (so the official
 * scorer can run on them too) and scored with {@link GenEvalScorer}.
 */
public final class GenEvalBenchmark implements Benchmark {
  /** Sub-folder of the run directory holding the images in GenEval's layout. */
  public static final String IMAGES = "images";

  private final List<GenEvalPrompt> prompts;
  private final String source;
  private final World world;
  private final boolean judged;

  /**
   * @param prompts the suite
   * @param source where the prompts came from, recorded in the score's details
   * @param world the world whose judge scores the images
   */
  public GenEvalBenchmark(List<GenEvalPrompt> prompts, String source, World world) {
    this(prompts, source, world, true);
  }

  /**
   * @param prompts the suite
   * @param source where the prompts came from, recorded in the score's details
   * @param world the world whose judge scores the images
   * @param judged false for a suite that only draws its images ({@link #handOff}): its prompts may
   *     name classes the world's judge cannot read (the official GenEval's COCO classes)
   * @throws IllegalArgumentException if the suite is empty, or judged and naming a class the
   *     world's judge cannot read
   */
  public GenEvalBenchmark(List<GenEvalPrompt> prompts, String source, World world, boolean judged) {
    if (prompts.isEmpty()) {
      throw new IllegalArgumentException("The GenEval suite is empty: " + source);
    }
    this.world = Objects.requireNonNull(world, "world");
    if (judged) {
      // Refused before any model runs: this suite scores with the world's judge.
      GenEvalScorer.requireJudgeable(world, prompts);
    }
    this.prompts = List.copyOf(prompts);
    this.source = source;
    this.judged = judged;
  }

  @Override
  public String name() {
    return "geneval";
  }

  @Override
  public String description() {
    return "GenEval-style text-to-image: " + prompts.size() + " prompts from " + source;
  }

  @Override
  public int size() {
    return prompts.size();
  }

  @Override
  public BenchmarkScore run(UnifiedModel model, BenchmarkOptions options, Path outDir, ProgressListener progress)
      throws IOException {
    if (!judged) {
      throw new IllegalStateException("This GenEval suite was made to hand its images off unscored (" + source + ")");
    }
    Path images = draw(model, options, outDir, progress);
    GenEvalSummary summary = GenEvalScorer.score(world, images, outDir);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("images", summary.images());
    details.put("prompts", summary.prompts());
    details.put("correct_images", summary.correctImages());
    details.put("correct_prompts", summary.correctPrompts());
    details.put("source", source);
    details.put("judge", summary.scorer().detector());
    return new BenchmarkScore(name(), summary.overall(), summary.tasks(), details);
  }

  @Override
  public boolean canHandOff() {
    return true;
  }

  /**
   * Draws the images into {@code outDir/images} in GenEval's exact layout ({@code
   * 00000/metadata.jsonl}, {@code 00000/samples/0000.png}, ...) and scores nothing, for the
   * official scorer ({@code evaluate_images.py IMAGES --outfile results.jsonl ...}) to run on.
   */
  @Override
  public Map<String, Object> handOff(UnifiedModel model, BenchmarkOptions options, Path outDir,
      ProgressListener progress) throws IOException {
    Path images = draw(model, options, outDir, progress);
    int chosen = options.effectiveSize(prompts.size());
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("layout", "geneval");
    details.put("images_dir", images.toAbsolutePath().normalize().toString());
    details.put("prompts", chosen);
    details.put("images", chosen * options.samplesPerPrompt());
    details.put("source", source);
    details.put("scorer", "official GenEval: python evaluation/evaluate_images.py " + images
        + " --outfile results.jsonl --model-path <Mask2Former weights>, then summary_scores.py results.jsonl");
    return details;
  }

  /** The suite's images in GenEval's layout under {@code outDir/images}, one seed per prompt. */
  private Path draw(UnifiedModel model, BenchmarkOptions options, Path outDir, ProgressListener progress)
      throws IOException {
    List<GenEvalPrompt> chosen = prompts.subList(0, options.effectiveSize(prompts.size()));
    Path images = outDir.resolve(IMAGES);
    GenEvalLayout.writeDirectory(images, dir -> {
      for (int start = 0; start < chosen.size(); start += options.batchSize()) {
        List<GenEvalPrompt> batch = chosen.subList(start, Math.min(chosen.size(), start + options.batchSize()));
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
          // One seed per prompt, derived from its index, so a subset reproduces the full run's images.
          requests.add(new GenerationRequest(batch.get(i).prompt(), options.samplesPerPrompt(),
              options.sampling().withSeed(options.sampling().seed() + start + i)));
        }
        List<List<BufferedImage>> drawn = model.generate(requests);
        if (drawn.size() != batch.size()) {
          throw new IllegalStateException("Model " + model.name() + " returned " + drawn.size()
              + " image lists for " + batch.size() + " prompts");
        }
        for (int i = 0; i < batch.size(); i++) {
          GenEvalLayout.writePrompt(dir, start + i, batch.get(i), drawn.get(i));
        }
        progress.onProgress(start + batch.size(), chosen.size(), "prompts drawn");
      }
    });
    return images;
  }
}
