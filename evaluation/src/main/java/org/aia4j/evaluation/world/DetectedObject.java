package org.aia4j.evaluation.world;

import java.util.Objects;

/**
 * An object the analyser found: its class, colour, box, size and the slot its centre falls in.
 *
 * @param pixels how many pixels of the blob carry its colour
 * @param shape the object's class
 * @param score the judge's confidence in [0, 1]: the shapes world's IoU between the blob and the
 *     shape's mask, the fashion world's class probability
 */
public record DetectedObject(ObjectClass shape, WorldColor color, BoundingBox box, int pixels, Slot slot, double score) {

  public DetectedObject {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(color, "color");
    Objects.requireNonNull(box, "box");
    Objects.requireNonNull(slot, "slot");
  }
}
