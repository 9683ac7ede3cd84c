package org.aia4j.evaluation.world;

/**
 * What a world draws an image for. A world whose objects are real items (Fashion-MNIST) takes
 * training images from its training split and evaluation images from its test split, so no
 * evaluation item is ever trained on; the shapes world draws both alike.
 */
public enum ImageSplit {
  /** Training samples and the image tokenizer's images. */
  TRAINING,
  /** Benchmark suites and the oracle. */
  EVALUATION
}
