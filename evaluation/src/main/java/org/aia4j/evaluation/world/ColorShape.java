package org.aia4j.evaluation.world;

import java.util.Objects;

/**
 * A colour-class combination, e.g. "red circle" or "blue bag"; used to hold combinations out of
 * training.
 */
public record ColorShape(WorldColor color, ObjectClass shape) {

  public ColorShape {
    Objects.requireNonNull(color, "color");
    Objects.requireNonNull(shape, "shape");
  }

  @Override
  public String toString() {
    return color.label() + " " + shape.label();
  }
}
