package org.aia4j.evaluation.fashion;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Optional;

/**
 * Says what a cell of a Fashion-MNIST scene shows: one of the world's classes, or nothing. This
 * is the world's detector, the part of the judge that is learned (as GenEval's Mask2Former is),
 * and so can be wrong; every score made with it names it through {@link #description()}.
 * Implementations live in a backend (e.g. a convolutional network trained with DJL).
 */
public interface CellJudge extends AutoCloseable {

  /** What the judge read in one cell. */
  record Verdict(Optional<FashionClass> kind, double confidence) {}

  /**
   * @param cells cell images of the world's cell size, {@code TYPE_INT_RGB}
   * @return one verdict per cell, in order
   */
  List<Verdict> judge(List<BufferedImage> cells);

  /** @return the judge's name and measured test accuracy, e.g. for score reports */
  String description();

  /** Releases the judge's native memory. */
  @Override
  void close();
}
