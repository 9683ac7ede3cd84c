package org.aia4j.evaluation.world;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Seeded scene generator: 1 to {@link WorldSpec#MAX_OBJECTS} objects in distinct slots with
 * uniform classes and colours. The same seed always gives the same sequence of scenes.
 */
public final class SceneSampler {
  private final WorldSpec spec;
  private final SplittableRandom random;
  private final boolean trainingOnly;

  /**
   * @param trainingOnly when true, never emits a held-out colour-shape combination
   */
  public SceneSampler(WorldSpec spec, long seed, boolean trainingOnly) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.random = new SplittableRandom(seed);
    this.trainingOnly = trainingOnly;
  }

  /** A sampler over every combination, held-out ones included (evaluation scenes). */
  public static SceneSampler allCombinations(WorldSpec spec, long seed) {
    return new SceneSampler(spec, seed, false);
  }

  /** A sampler that never shows a held-out combination (training scenes). */
  public static SceneSampler trainingOnly(WorldSpec spec, long seed) {
    return new SceneSampler(spec, seed, true);
  }

  /** A scene of 1 to {@link WorldSpec#MAX_OBJECTS} objects. */
  public Scene sample() {
    return sample(1 + random.nextInt(WorldSpec.MAX_OBJECTS));
  }

  /** A scene of exactly {@code count} objects. */
  public Scene sample(int count) {
    if (count < 0 || count > spec.slots()) {
      throw new IllegalArgumentException("Cannot place " + count + " objects in " + spec.slots() + " slots");
    }
    List<SceneObject> objects = new ArrayList<>(count);
    for (Slot slot : freeSlots(count, List.of())) {
      objects.add(new SceneObject(randomShape(), randomColor(), slot));
    }
    objects.replaceAll(o -> trainingOnly && !spec.isTrainable(o.colorShape()) ? redraw(o) : o);
    return new Scene(objects);
  }

  /** {@code count} distinct slots in random order, avoiding {@code taken}. */
  public List<Slot> freeSlots(int count, List<Slot> taken) {
    List<Slot> free = new ArrayList<>();
    for (int i = 0; i < spec.slots(); i++) {
      Slot slot = Slot.ofIndex(i, spec.grid());
      if (!taken.contains(slot)) {
        free.add(slot);
      }
    }
    if (count > free.size()) {
      throw new IllegalArgumentException("Only " + free.size() + " free slots for " + count + " objects");
    }
    // Partial Fisher-Yates: the first `count` entries become a uniform random choice.
    for (int i = 0; i < count; i++) {
      int j = i + random.nextInt(free.size() - i);
      Slot tmp = free.get(i);
      free.set(i, free.get(j));
      free.set(j, tmp);
    }
    return List.copyOf(free.subList(0, count));
  }

  /** A uniformly random class of the world. */
  public ObjectClass randomShape() {
    List<ObjectClass> classes = spec.classes();
    return classes.get(random.nextInt(classes.size()));
  }

  /** A uniformly random colour. */
  public WorldColor randomColor() {
    WorldColor[] colors = WorldColor.values();
    return colors[random.nextInt(colors.length)];
  }

  /** A uniformly random colour other than {@code excluded}. */
  public WorldColor randomColorExcept(WorldColor excluded) {
    WorldColor[] colors = WorldColor.values();
    int pick = random.nextInt(colors.length - 1);
    return colors[pick >= excluded.ordinal() ? pick + 1 : pick];
  }

  /** A uniformly random integer in {@code [0, bound)} from this sampler's stream. */
  public int nextInt(int bound) {
    return random.nextInt(bound);
  }

  private SceneObject redraw(SceneObject object) {
    SceneObject candidate = object;
    while (!spec.isTrainable(candidate.colorShape())) {
      candidate = new SceneObject(randomShape(), randomColor(), object.slot());
    }
    return candidate;
  }
}
