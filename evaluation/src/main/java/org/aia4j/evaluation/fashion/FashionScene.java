package org.aia4j.evaluation.fashion;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.aia4j.evaluation.world.Slot;

/**
 * A scene of the Fashion-MNIST world: up to one item per cell, every item from one split, so a
 * training scene can never show a test item.
 *
 * @param split the split all items come from
 * @param items the items, at most one per cell
 */
public record FashionScene(FashionMnist.Split split, List<FashionPlacement> items) {
  public FashionScene {
    Objects.requireNonNull(split, "split");
    items = List.copyOf(items);
    Set<Slot> cells = new HashSet<>();
    for (FashionPlacement item : items) {
      if (!cells.add(item.cell())) {
        throw new IllegalArgumentException("Two items in cell " + item.cell());
      }
    }
  }

  /** @return how many items of {@code kind} the scene shows */
  public long count(FashionClass kind) {
    return items.stream().filter(item -> item.kind() == kind).count();
  }
}
