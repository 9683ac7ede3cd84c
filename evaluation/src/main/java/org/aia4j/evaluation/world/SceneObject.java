package org.aia4j.evaluation.world;

import java.util.Objects;

/** One flat-coloured shape in its slot. */
public record SceneObject(Shape shape, WorldColor color, Slot slot) {

  public SceneObject {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(color, "color");
    Objects.requireNonNull(slot, "slot");
  }

  /** This object's colour-shape combination. */
  public ColorShape colorShape() {
    return new ColorShape(color, shape);
  }

  /** A short description, e.g. {@code red circle at (1, 2)}. */
  @Override
  public String toString() {
    return color.label() + " " + shape.label() + " at (" + slot.row() + ", " + slot.col() + ")";
  }
}
