package org.aia4j.evaluation.fashion;

import java.awt.Image;
import java.awt.image.BufferedImage;
import java.awt.image.PixelGrabber;
import java.util.Objects;
import org.aia4j.evaluation.world.WorldColor;

/**
 * Draws Fashion-MNIST scenes: each item's 28x28 ink is scaled to its cell by area averaging
 * (Java2D's pure-Java filter, the same on every JVM) and laid over GenEval's grey canvas as
 * {@code background + ink/255 * (tint - background)} per channel, so the item keeps its real
 * texture and takes its tint in proportion to its ink.
 */
public final class FashionSceneRenderer {
  private final FashionWorldSpec spec;
  private final FashionItems train;
  private final FashionItems test;

  /**
   * @param spec the world's geometry
   * @param train the training split (scenes of {@link FashionMnist.Split#TRAIN} read from it)
   * @param test the test split; either may be null when no scene of it is drawn
   */
  public FashionSceneRenderer(FashionWorldSpec spec, FashionItems train, FashionItems test) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.train = train;
    this.test = test;
  }

  /** @return the world this renderer draws */
  public FashionWorldSpec spec() {
    return spec;
  }

  /** Renders {@code scene} as a {@code TYPE_INT_RGB} image of the world's size. */
  public BufferedImage render(FashionScene scene) {
    FashionItems items = items(scene.split());
    int size = spec.imageSize();
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    int background = WorldColor.BACKGROUND_RGB;
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        image.setRGB(x, y, background);
      }
    }
    for (FashionPlacement placement : scene.items()) {
      if (placement.item() >= items.size()) {
        throw new IllegalArgumentException("Item " + placement.item() + " is beyond the " + items.size()
            + " items of the " + scene.split() + " split");
      }
      if (placement.cell().row() >= spec.grid() || placement.cell().col() >= spec.grid()) {
        throw new IllegalArgumentException("Cell " + placement.cell() + " lies outside the " + spec.grid() + "x"
            + spec.grid() + " grid");
      }
      int[] ink = ink(items, placement.item(), spec.cellSize());
      int x0 = placement.cell().col() * spec.cellSize();
      int y0 = placement.cell().row() * spec.cellSize();
      int tint = placement.tint().rgb();
      for (int y = 0; y < spec.cellSize(); y++) {
        for (int x = 0; x < spec.cellSize(); x++) {
          image.setRGB(x0 + x, y0 + y, blendOf(background, tint, ink[y * spec.cellSize() + x]));
        }
      }
    }
    return image;
  }

  /**
   * An item's ink scaled to {@code side} pixels, row-major, 0 to 255.
   *
   * @param items the split
   * @param index the item
   * @param side the cell size
   */
  public static int[] ink(FashionItems items, int index, int side) {
    int[] source = items.image(index);
    if (side == FashionMnist.SIDE) {
      return source;
    }
    BufferedImage grey = new BufferedImage(FashionMnist.SIDE, FashionMnist.SIDE, BufferedImage.TYPE_INT_RGB);
    for (int i = 0; i < source.length; i++) {
      int v = source[i];
      grey.setRGB(i % FashionMnist.SIDE, i / FashionMnist.SIDE, v << 16 | v << 8 | v);
    }
    Image scaled = grey.getScaledInstance(side, side, Image.SCALE_AREA_AVERAGING);
    int[] pixels = new int[side * side];
    PixelGrabber grabber = new PixelGrabber(scaled, 0, 0, side, side, pixels, 0, side);
    try {
      if (!grabber.grabPixels()) {
        throw new IllegalStateException("Scaling item " + index + " failed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while scaling item " + index, e);
    }
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = pixels[i] & 0xFF;
    }
    return pixels;
  }

  /** @return {@code background + ink/255 * (tint - background)} per channel, rounded: how an item is laid on the canvas */
  public static int blendOf(int background, int tint, int ink) {
    int rgb = 0;
    for (int shift = 16; shift >= 0; shift -= 8) {
      int b = background >> shift & 0xFF;
      int t = tint >> shift & 0xFF;
      int c = b + Math.round((t - b) * ink / 255f);
      rgb |= c << shift;
    }
    return rgb;
  }

  private FashionItems items(FashionMnist.Split split) {
    FashionItems items = split == FashionMnist.Split.TRAIN ? train : test;
    if (items == null) {
      throw new IllegalStateException("This renderer was given no " + split + " split");
    }
    return items;
  }
}
