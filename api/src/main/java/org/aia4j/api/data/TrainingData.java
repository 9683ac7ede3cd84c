package org.aia4j.api.data;

import java.awt.image.BufferedImage;
import java.util.List;
import org.aia4j.api.tokenizer.ImageTokenizer;

/**
 * A deterministic, random-access source of training samples. Sample {@code i} depends only on
 * the source's seed and {@code i}, never on what was drawn before, so a resumed run sees exactly
 * the samples an uninterrupted run would, and two runs with one seed see the same data.
 */
public interface TrainingData {

  /** A short name recorded in checkpoint provenance, e.g. {@code world(seed=7)}. */
  String describe();

  /** Side of every image in pixels. */
  int imageSize();

  /** The understanding sample with index {@code index >= 0}. */
  UnderstandingSample understanding(long index);

  /** The generation sample with index {@code index >= 0}. */
  GenerationSample generation(long index);

  /**
   * Every text a model trained on this data may read or write, for fitting a text tokenizer's
   * vocabulary: training prompts and answers, and the evaluation templates' words.
   */
  List<String> vocabularyCorpus();

  /** {@code count} images representative of the data, for fitting an image tokenizer. */
  List<BufferedImage> tokenizerImages(int count, long seed);

  /**
   * Checks, before training starts, that samples carrying image codes ({@link
   * UnderstandingSample#isTokenized()}) fit {@code tokenizer}: as many codes as it makes per image,
   * each within its codebook. A trainer calls this once, so a bad row fails at once and by name
   * instead of at the step that draws it. Data with pixels only has nothing to check (the default).
   *
   * @param tokenizer the image tokenizer of the model being trained
   * @throws IllegalArgumentException naming the first sample (e.g. its file and line) whose codes do not fit
   */
  default void checkImageCodes(ImageTokenizer tokenizer) {}

  /**
   * Checks, before training starts, every pre-tokenized sample's codes with {@code check} (for a
   * model whose images are written by its own layout, which may take more than one grid size).
   * Data with pixels only has nothing to check (the default).
   *
   * @param check throws {@link IllegalArgumentException} for codes that do not fit
   * @throws IllegalArgumentException naming the first sample whose codes do not fit, and why
   */
  default void checkImageCodes(java.util.function.Consumer<int[]> check) {}
}
