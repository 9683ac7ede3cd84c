package org.aia4j.evaluation.world;

/** An axis-aligned pixel box: {@code x, y} top-left, inclusive, {@code width x height} pixels. */
public record BoundingBox(int x, int y, int width, int height) {

  public BoundingBox {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("Box must have positive size, got " + width + "x" + height);
    }
  }

  /** Horizontal centre in pixel units (GenEval's box centre: the mean of the two x edges). */
  public double centerX() {
    return x + width / 2.0;
  }

  /** Vertical centre in pixel units. */
  public double centerY() {
    return y + height / 2.0;
  }

  /** Whether pixel {@code (px, py)} lies inside. */
  public boolean contains(int px, int py) {
    return px >= x && px < x + width && py >= y && py < y + height;
  }

  /** GenEval's box form {@code [x1, y1, x2, y2]}. */
  public double[] toXyxy() {
    return new double[] {x, y, x + width, y + height};
  }
}
