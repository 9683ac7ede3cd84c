package org.aia4j.evaluation.world;

import java.util.Objects;
import java.util.Set;

/**
 * The geometry and rules of the embedded world: image size, slot grid, the object margin and the
 * colour-shape combinations held out of training.
 *
 * <p>At the default 32x32 a 4x4 grid gives 8x8-pixel slots (two 4x4 tokenizer patches a side)
 * and 6x6-pixel objects; at 64x64 the same scenes are drawn twice as large.
 *
 * @param imageSize width and height of rendered images in pixels
 * @param grid slots per row and per column
 * @param heldOut combinations that training data must never show
 */
public record WorldSpec(int imageSize, int grid, Set<ColorShape> heldOut) {

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
    heldOut = Set.copyOf(heldOut);
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

  /** The default world: 32x32 images, a 4x4 slot grid, the default held-out combinations. */
  public static WorldSpec standard() {
    return new WorldSpec(32, 4, DEFAULT_HELD_OUT);
  }

  /** The default world drawn at another image size (e.g. 64). */
  public static WorldSpec ofSize(int imageSize) {
    return new WorldSpec(imageSize, 4, DEFAULT_HELD_OUT);
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
