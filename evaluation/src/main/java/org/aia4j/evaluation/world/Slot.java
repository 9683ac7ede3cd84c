package org.aia4j.evaluation.world;

/**
 * A cell of the world's slot grid; row 0 is the top, column 0 the left. Objects sit one per slot
 * so that their pixels line up with the image tokenizer's patches (DESIGN section 5).
 */
public record Slot(int row, int col) {

  public Slot {
    if (row < 0 || col < 0) {
      throw new IllegalArgumentException("Slot coordinates must be >= 0, got (" + row + ", " + col + ")");
    }
  }

  /** The slot's index in row-major order on a grid of {@code grid} columns. */
  public int index(int grid) {
    return row * grid + col;
  }

  /** The slot with row-major index {@code index} on a grid of {@code grid} columns. */
  public static Slot ofIndex(int index, int grid) {
    return new Slot(index / grid, index % grid);
  }
}
