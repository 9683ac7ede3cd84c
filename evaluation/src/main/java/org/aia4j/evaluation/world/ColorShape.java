package org.aia4j.evaluation.world;

import java.util.Objects;

/** A colour-shape combination, e.g. "red circle"; used to hold combinations out of training. */
public record ColorShape(WorldColor color, Shape shape) {

  public ColorShape {
    Objects.requireNonNull(color, "color");
    Objects.requireNonNull(shape, "shape");
  }

  @Override
  public String toString() {
    return color.label() + " " + shape.label();
  }
}
