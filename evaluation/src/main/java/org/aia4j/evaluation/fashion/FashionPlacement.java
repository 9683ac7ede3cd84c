package org.aia4j.evaluation.fashion;

import java.util.Objects;
import org.aia4j.evaluation.world.Slot;
import org.aia4j.evaluation.world.WorldColor;

/**
 * One real item in a scene: which cell, which class, which tint, and which item of the scene's
 * split it is (so the exact pixels can be traced back to the dataset).
 *
 * @param cell the grid cell
 * @param kind the item's class, as the dataset labels it
 * @param tint the colour its ink is drawn in
 * @param item the item's index in its split
 */
public record FashionPlacement(Slot cell, FashionClass kind, WorldColor tint, int item) {
  public FashionPlacement {
    Objects.requireNonNull(cell, "cell");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(tint, "tint");
    if (item < 0) {
      throw new IllegalArgumentException("Item index " + item + " is negative");
    }
  }
}
