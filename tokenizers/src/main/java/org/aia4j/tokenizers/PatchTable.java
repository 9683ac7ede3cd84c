package org.aia4j.tokenizers;

import java.awt.image.BufferedImage;
import java.util.Arrays;

/**
 * Distinct square patches of packed {@code 0xRRGGBB} pixels with how often each was added: an
 * open-addressing hash table over primitive arrays, so counting or looking up the patches of an
 * image allocates nothing per patch or pixel.
 *
 * <p>Patches are read in place from an image's pixel array ({@code pixels[offset + y * stride +
 * x]}), and stored row-major, {@code side * side} ints each, in the order first added.
 */
final class PatchTable {

  private static final int EMPTY = -1;

  private final int side;
  private final int length;
  private int[] patches;
  private long[] counts;
  private int size;
  /** Slot -> entry index, or {@link #EMPTY}; the capacity is a power of two. */
  private int[] slots;

  /**
   * @param side the patch side in pixels
   */
  PatchTable(int side) {
    this.side = side;
    this.length = side * side;
    this.patches = new int[16 * length];
    this.counts = new long[16];
    this.slots = new int[32];
    Arrays.fill(slots, EMPTY);
  }

  /** @return the number of distinct patches */
  int size() {
    return size;
  }

  /** @return how many times entry {@code index} was added */
  long count(int index) {
    return counts[index];
  }

  /** @return a copy of entry {@code index}, row-major */
  int[] patch(int index) {
    return Arrays.copyOfRange(patches, index * length, (index + 1) * length);
  }

  /**
   * Adds one occurrence of the patch at {@code pixels[offset]}.
   *
   * @return its entry index
   */
  int add(int[] pixels, int offset, int stride) {
    int slot = slotOf(pixels, offset, stride);
    int index = slots[slot];
    if (index == EMPTY) {
      index = insert(slot, pixels, offset, stride);
    }
    counts[index]++;
    return index;
  }

  /** @return the entry index of the patch at {@code pixels[offset]}, or -1 if absent */
  int find(int[] pixels, int offset, int stride) {
    return slots[slotOf(pixels, offset, stride)];
  }

  /** The slot holding that patch, or the empty slot where it would go. */
  private int slotOf(int[] pixels, int offset, int stride) {
    int mask = slots.length - 1;
    int slot = hash(pixels, offset, stride) & mask;
    while (true) {
      int index = slots[slot];
      if (index == EMPTY || matches(index, pixels, offset, stride)) {
        return slot;
      }
      slot = (slot + 1) & mask;
    }
  }

  private int insert(int slot, int[] pixels, int offset, int stride) {
    if (size == counts.length) {
      patches = Arrays.copyOf(patches, 2 * patches.length);
      counts = Arrays.copyOf(counts, 2 * counts.length);
    }
    int index = size++;
    int base = index * length;
    for (int y = 0; y < side; y++) {
      System.arraycopy(pixels, offset + y * stride, patches, base + y * side, side);
    }
    slots[slot] = index;
    if (2 * size > slots.length) {
      rehash();
    }
    return index;
  }

  private void rehash() {
    slots = new int[2 * slots.length];
    Arrays.fill(slots, EMPTY);
    for (int index = 0; index < size; index++) {
      slots[slotOf(patches, index * length, side)] = index;
    }
  }

  private boolean matches(int index, int[] pixels, int offset, int stride) {
    int base = index * length;
    for (int y = 0; y < side; y++) {
      int row = offset + y * stride;
      for (int x = 0; x < side; x++) {
        if (patches[base + y * side + x] != pixels[row + x]) {
          return false;
        }
      }
    }
    return true;
  }

  private int hash(int[] pixels, int offset, int stride) {
    int h = 1;
    for (int y = 0; y < side; y++) {
      int row = offset + y * stride;
      for (int x = 0; x < side; x++) {
        h = 31 * h + pixels[row + x];
      }
    }
    // Spread the bits (murmur3's finaliser): similar patches must not share low bits.
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    return h ^ (h >>> 16);
  }

  /**
   * The packed {@code 0xRRGGBB} pixels of {@code image}, row-major, alpha dropped; one array per
   * call and none per pixel.
   */
  static int[] rgb(BufferedImage image) {
    int width = image.getWidth();
    int height = image.getHeight();
    int[] pixels = new int[width * height];
    int type = image.getType();
    if (type == BufferedImage.TYPE_INT_RGB || type == BufferedImage.TYPE_INT_ARGB) {
      // The raster's own packed ints: no colour-model conversion per pixel.
      image.getRaster().getDataElements(0, 0, width, height, pixels);
    } else {
      image.getRGB(0, 0, width, height, pixels, 0, width);
    }
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] &= 0xFFFFFF;
    }
    return pixels;
  }
}
