package org.aia4j.evaluation.fashion;

import java.util.Objects;

/**
 * The items of one Fashion-MNIST split: 28x28 grey images (0 = background, 255 = full ink) and
 * their classes. Immutable; images are handed out as copies.
 */
public final class FashionItems {
  private static final int PIXELS = FashionMnist.SIDE * FashionMnist.SIDE;

  private final FashionMnist.Split split;
  private final byte[] pixels;
  private final byte[] labels;

  FashionItems(FashionMnist.Split split, byte[] pixels, byte[] labels) {
    this.split = Objects.requireNonNull(split, "split");
    if (pixels.length != labels.length * PIXELS) {
      throw new IllegalArgumentException(pixels.length + " pixels do not make " + labels.length + " items");
    }
    this.pixels = pixels;
    this.labels = labels;
  }

  /** @return the split these items come from */
  public FashionMnist.Split split() {
    return split;
  }

  /** @return the number of items */
  public int size() {
    return labels.length;
  }

  /** @return item {@code index}'s class */
  public FashionClass label(int index) {
    return FashionClass.ofLabel(labels[Objects.checkIndex(index, labels.length)]);
  }

  /** @return item {@code index}'s ink at ({@code x}, {@code y}), 0 to 255 */
  public int ink(int index, int x, int y) {
    Objects.checkIndex(index, labels.length);
    Objects.checkIndex(x, FashionMnist.SIDE);
    Objects.checkIndex(y, FashionMnist.SIDE);
    return pixels[index * PIXELS + y * FashionMnist.SIDE + x] & 0xFF;
  }

  /** @return item {@code index}'s 784 ink values, row-major, 0 to 255 (a copy) */
  public int[] image(int index) {
    Objects.checkIndex(index, labels.length);
    int[] image = new int[PIXELS];
    for (int i = 0; i < PIXELS; i++) {
      image[i] = pixels[index * PIXELS + i] & 0xFF;
    }
    return image;
  }
}
