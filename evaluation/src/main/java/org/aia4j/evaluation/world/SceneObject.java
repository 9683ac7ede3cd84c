package org.aia4j.evaluation.world;

import java.util.Objects;

/**
 * One object in its slot: its class ({@code shape}: a {@link Shape} in the shapes world, a garment
 * in the fashion world) and its colour.
 */
public record SceneObject(ObjectClass shape, WorldColor color, Slot slot) {

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
