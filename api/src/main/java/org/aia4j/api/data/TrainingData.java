package org.aia4j.api.data;

import java.awt.image.BufferedImage;
import java.util.List;

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
}
