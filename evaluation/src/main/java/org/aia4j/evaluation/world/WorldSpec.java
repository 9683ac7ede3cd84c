package org.aia4j.evaluation.world;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The geometry and rules of a world: image size, slot grid, the object margin, its object classes
 * and the colour-class combinations held out of training.
 *
 * <p>At the default 32x32 a 4x4 grid gives 8x8-pixel slots (two 4x4 tokenizer patches a side)
 * and 6x6-pixel objects; at 64x64 the same scenes are drawn twice as large.
 *
 * @param imageSize width and height of rendered images in pixels
 * @param grid slots per row and per column
 * @param heldOut combinations that training data must never show
 * @param classes the object classes scenes show and prompts name, in a fixed order (the order
 *     suites enumerate them in)
 * @param classWord the word questions ask a class with: "What shape is the red object?" in the
 *     shapes world, "What item is ..." in the fashion world
 */
public record WorldSpec(int imageSize, int grid, Set<ColorShape> heldOut, List<ObjectClass> classes,
    String classWord) {

  /** The largest number of objects a scene may hold. */
  public static final int MAX_OBJECTS = 4;

  /** Patch size the slots must be a multiple of (the image tokenizer's default). */
  public static final int PATCH = 4;

  /**
   * The default held-out combinations: one per shape, each colour at most once, so every shape
   * and colour is still seen in training, just never in these pairings.
   */
  public static final Set<ColorShape> DEFAULT_HELD_OUT = Set.of(
      new ColorShape(WorldColor.RED, Shape.TRIANGLE),
      new ColorShape(WorldColor.BLUE, Shape.CROSS),
      new ColorShape(WorldColor.YELLOW, Shape.CIRCLE),
      new ColorShape(WorldColor.PURPLE, Shape.SQUARE));

  public WorldSpec {
    Objects.requireNonNull(heldOut, "heldOut");
    Objects.requireNonNull(classes, "classes");
    Objects.requireNonNull(classWord, "classWord");
    heldOut = Set.copyOf(heldOut);
    classes = List.copyOf(classes);
    if (classes.size() < 2) {
      throw new IllegalArgumentException("A world needs at least two object classes, got " + classes);
    }
    if (classes.stream().map(ObjectClass::label).distinct().count() != classes.size()
        || classes.stream().map(ObjectClass::plural).distinct().count() != classes.size()) {
      throw new IllegalArgumentException("Two classes share a noun: " + classes);
    }
    for (ColorShape held : heldOut) {
      if (!classes.contains(held.shape())) {
        throw new IllegalArgumentException("Held-out combination " + held + " names a class the world lacks: "
            + labels(classes));
      }
    }
    if (grid < 2) {
      throw new IllegalArgumentException("The slot grid needs at least 2x2 slots, got " + grid);
    }
    if (imageSize <= 0 || imageSize % grid != 0) {
      throw new IllegalArgumentException(
          "Image size " + imageSize + " must be a positive multiple of the grid (" + grid + ")");
    }
    int slot = imageSize / grid;
    if (slot < 2 * PATCH || slot % PATCH != 0) {
      throw new IllegalArgumentException("Image size " + imageSize + " gives " + slot
          + "-pixel slots; slots must be a multiple of " + PATCH + " pixels and at least " + 2 * PATCH
          + " (try 32 or 64)");
    }
  }

  /** A shapes world: its four {@link Shape}s, asked with "shape". */
  public WorldSpec(int imageSize, int grid, Set<ColorShape> heldOut) {
    this(imageSize, grid, heldOut, List.of(Shape.values()), "shape");
  }

  /** The default world: 32x32 images, a 4x4 slot grid, the default held-out combinations. */
  public static WorldSpec standard() {
    return new WorldSpec(32, 4, DEFAULT_HELD_OUT);
  }

  /** The default world drawn at another image size (e.g. 64). */
  public static WorldSpec ofSize(int imageSize) {
    return new WorldSpec(imageSize, 4, DEFAULT_HELD_OUT);
  }

  /** The class spelt {@code label} (singular), or empty when the world has none of that name. */
  public Optional<ObjectClass> classNamed(String label) {
    return classes.stream().filter(c -> c.label().equals(label)).findFirst();
  }

  /**
   * Parses a class noun, singular or plural, case-insensitively.
   *
   * @throws IllegalArgumentException naming the world's classes
   */
  public ObjectClass parseClass(String text) {
    String key = text.trim().toLowerCase(Locale.ROOT);
    return classes.stream().filter(c -> c.label().equals(key) || c.plural().equals(key)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("Unknown " + classWord + " '" + text + "'. Known: "
            + labels(classes)));
  }

  /** The index of {@code kind} in {@link #classes}. */
  public int indexOf(ObjectClass kind) {
    int index = classes.indexOf(kind);
    if (index < 0) {
      throw new IllegalArgumentException(kind.label() + " is not a class of this world: " + labels(classes));
    }
    return index;
  }

  /** The world's class nouns, comma-separated, for messages. */
  public String classLabels() {
    return labels(classes);
  }

  private static String labels(List<ObjectClass> classes) {
    return classes.stream().map(ObjectClass::label).collect(Collectors.joining(", "));
  }

  /** Side of a slot in pixels. */
  public int slotSize() {
    return imageSize / grid;
  }

  /** Empty border inside a slot around its object: 1 pixel at 32x32, 2 at 64x64. */
  public int margin() {
    return Math.max(1, slotSize() / 8);
  }

  /** Side of an object's bounding box in pixels. */
  public int objectSize() {
    return slotSize() - 2 * margin();
  }

  /** Number of slots. */
  public int slots() {
    return grid * grid;
  }

  /** The top-left pixel of the object box in {@code slot}. */
  public int objectX(Slot slot) {
    checkSlot(slot);
    return slot.col() * slotSize() + margin();
  }

  /** The top-left pixel row of the object box in {@code slot}. */
  public int objectY(Slot slot) {
    checkSlot(slot);
    return slot.row() * slotSize() + margin();
  }

  /** The bounding box an object in {@code slot} is drawn in. */
  public BoundingBox objectBox(Slot slot) {
    return new BoundingBox(objectX(slot), objectY(slot), objectSize(), objectSize());
  }

  /** Whether {@code combination} may appear in training data. */
  public boolean isTrainable(ColorShape combination) {
    return !heldOut.contains(combination);
  }

  /** Rejects a slot outside the grid. */
  public void checkSlot(Slot slot) {
    if (slot.row() >= grid || slot.col() >= grid) {
      throw new IllegalArgumentException("Slot " + slot + " lies outside the " + grid + "x" + grid + " grid");
    }
  }
}
