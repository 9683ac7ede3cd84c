package org.aia4j.evaluation.world;

import java.util.Objects;

/**
 * An object the analyser found: its class, colour, box, size and the slot its centre falls in.
 *
 * @param pixels how many pixels of the blob carry its colour
 * @param score IoU between the blob and the shape's mask in the slot, in [0, 1]
 */
public record DetectedObject(Shape shape, WorldColor color, BoundingBox box, int pixels, Slot slot, double score) {

  public DetectedObject {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(color, "color");
    Objects.requireNonNull(box, "box");
    Objects.requireNonNull(slot, "slot");
  }
}
