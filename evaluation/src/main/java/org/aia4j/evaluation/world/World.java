package org.aia4j.evaluation.world;

import java.awt.image.BufferedImage;
import java.util.Optional;

/**
 * A benchmark world: scenes of classed, coloured objects on a slot grid ({@link WorldSpec}), the
 * way they are drawn, and the judge that reads an image back into objects (GenEval's detector).
 * The suites, the training data and the oracle are written once over this interface; a world only
 * says how its objects look and how they are recognised.
 *
 * <p>Implementations are found by name through {@link WorldProvider}; {@code shapes} (the default,
 * exact) and {@code fashion} (real Fashion-MNIST items with a learned judge) ship with aia4j.
 */
public interface World extends AutoCloseable {

  /** The world's name, e.g. {@code shapes}; recorded in suites and data descriptions. */
  String name();

  /** Geometry, classes and held-out combinations. */
  WorldSpec spec();

  /**
   * Draws {@code scene} as a {@code TYPE_INT_RGB} image of the world's size.
   *
   * @param split what the image is for: a world of real items draws them from that split only
   * @param variant picks among the world's renditions of one scene (which real items show it); the
   *     same scene, split and variant always give the same pixels
   */
  BufferedImage render(Scene scene, ImageSplit split, long variant);

  /**
   * Reads an image back into objects: the detector GenEval's rules run on.
   *
   * @throws IllegalArgumentException if the image is not of the world's size
   */
  Analysis analyse(BufferedImage image);

  /**
   * The image tokenizer a model of this world should use, when the presets' (8-pixel patches, 64
   * codes: lossless on flat shapes) would lose what the judge reads.
   *
   * @return the patch side and codebook size, or empty for the presets'
   */
  default Optional<TokenizerHint> tokenizerHint() {
    return Optional.empty();
  }

  /**
   * The image tokenizer settings a world asks for.
   *
   * @param patchSize patch side in pixels
   * @param codebookSize codes
   */
  record TokenizerHint(int patchSize, int codebookSize) {}

  /**
   * This world drawn and judged at another image size, for scoring images of that size.
   *
   * @throws IllegalArgumentException if the world has only its own size (the default)
   */
  default World atSize(int imageSize) {
    if (imageSize == spec().imageSize()) {
      return this;
    }
    throw new IllegalArgumentException("The " + name() + " world's images are " + spec().imageSize() + "x"
        + spec().imageSize() + ", not " + imageSize + "x" + imageSize);
  }

  /**
   * The GenEval-style score the world's own oracle images must reach before any model is trusted
   * to its judge: 1.0 for an exact judge (the default), lower for a learned one that can be wrong.
   */
  default double oracleFloor() {
    return 1.0;
  }

  /** The judge's name and, for a learned one, its measured accuracy, for every score report. */
  String judge();

  /** Releases what the judge holds (a network's native memory); the shapes world holds nothing. */
  @Override
  default void close() {}
}
