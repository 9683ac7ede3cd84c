package org.aia4j.evaluation.fashion;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.aia4j.evaluation.world.Slot;
import org.aia4j.evaluation.world.WorldColor;

/**
 * Draws random scenes from one split: every item is a real item of that split, of one of the
 * world's classes, in a free cell, with a random tint. Seeded: the same seed and split give the
 * same scenes.
 */
public final class FashionSceneSampler {
  private final FashionWorldSpec spec;
  private final FashionItems items;
  private final List<int[]> byClass = new ArrayList<>();
  private final SplittableRandom random;

  /**
   * @param spec the world
   * @param items the split scenes are drawn from
   * @param seed the seed
   */
  public FashionSceneSampler(FashionWorldSpec spec, FashionItems items, long seed) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.items = Objects.requireNonNull(items, "items");
    this.random = new SplittableRandom(seed);
    for (FashionClass kind : spec.classes()) {
      int[] indices = java.util.stream.IntStream.range(0, items.size()).filter(i -> items.label(i) == kind).toArray();
      if (indices.length == 0) {
        throw new IllegalArgumentException("The " + items.split() + " split holds no " + kind.label());
      }
      byClass.add(indices);
    }
  }

  /** @return a scene of 1 to {@code cells} random items */
  public FashionScene sample() {
    return sample(1 + random.nextInt(spec.cells()));
  }

  /** @return a scene of {@code count} random items in random cells */
  public FashionScene sample(int count) {
    if (count < 0 || count > spec.cells()) {
      throw new IllegalArgumentException("A scene holds 0 to " + spec.cells() + " items, not " + count);
    }
    List<Slot> cells = freeCells(count, List.of());
    List<FashionPlacement> placements = new ArrayList<>();
    for (Slot cell : cells) {
      placements.add(place(cell, randomClass(), randomTint()));
    }
    return new FashionScene(items.split(), placements);
  }

  /** @return an item of {@code kind} with {@code tint}, in {@code cell}, drawn from the split */
  public FashionPlacement place(Slot cell, FashionClass kind, WorldColor tint) {
    int k = spec.classes().indexOf(kind);
    if (k < 0) {
      throw new IllegalArgumentException(kind.label() + " is not a class of this world: " + spec.classes());
    }
    int[] indices = byClass.get(k);
    return new FashionPlacement(cell, kind, tint, indices[random.nextInt(indices.length)]);
  }

  /** @return {@code count} distinct random cells not in {@code taken}, in row-major order */
  public List<Slot> freeCells(int count, List<Slot> taken) {
    List<Slot> free = new ArrayList<>();
    for (int i = 0; i < spec.cells(); i++) {
      Slot cell = Slot.ofIndex(i, spec.grid());
      if (!taken.contains(cell)) {
        free.add(cell);
      }
    }
    if (count > free.size()) {
      throw new IllegalArgumentException("Only " + free.size() + " free cells, " + count + " asked for");
    }
    // A partial Fisher-Yates shuffle, then row-major order so captions read cells in a fixed order.
    for (int i = 0; i < count; i++) {
      int j = i + random.nextInt(free.size() - i);
      Slot swap = free.get(i);
      free.set(i, free.get(j));
      free.set(j, swap);
    }
    List<Slot> chosen = new ArrayList<>(free.subList(0, count));
    chosen.sort(java.util.Comparator.comparingInt(cell -> cell.index(spec.grid())));
    return chosen;
  }

  /** @return a random class of the world */
  public FashionClass randomClass() {
    return spec.classes().get(random.nextInt(spec.classes().size()));
  }

  /** @return a random GenEval colour */
  public WorldColor randomTint() {
    WorldColor[] colors = WorldColor.values();
    return colors[random.nextInt(colors.length)];
  }
}
