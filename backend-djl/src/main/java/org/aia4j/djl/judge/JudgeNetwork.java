package org.aia4j.djl.judge;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import java.util.Optional;
import org.aia4j.evaluation.fashion.TintReader;
import org.aia4j.evaluation.world.WorldColor;

/**
 * The judge's network and its input encoding. Two 3x3 convolutions with max pooling and one
 * hidden layer: Fashion-MNIST's reference convnets reach about 0.9 on all ten classes with this
 * little, and the world keeps only the classes such a network tells apart reliably.
 */
final class JudgeNetwork {
  private JudgeNetwork() {}

  /** @return a fresh, uninitialised network with {@code outputs} logits */
  static SequentialBlock block(int outputs) {
    return new SequentialBlock()
        .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(16).build())
        .add(Activation::relu)
        .add(Pool.maxPool2dBlock(new Shape(2, 2)))
        .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(32).build())
        .add(Activation::relu)
        .add(Pool.maxPool2dBlock(new Shape(2, 2)))
        .add(Blocks.batchFlattenBlock())
        .add(Linear.builder().setUnits(64).build())
        .add(Activation::relu)
        .add(Linear.builder().setUnits(outputs).build());
  }

  /** Input channels: one, the cell's ink. */
  static final int CHANNELS = 1;

  /**
   * Encodes a cell as the network reads it: its ink, each pixel's share of the way from GenEval's
   * grey background to the cell's tint ({@link TintReader}, least squares), in [0, 1]. A tinted item
   * is {@code background + ink * (tint - background)} (how scenes are drawn), so this gives back
   * the item's own grey texture whatever its colour, and the network learns shapes, not tints:
   * reading the three colour channels as they were, it confused more (0.983 against 0.99x), most of
   * all on tints near the background. An empty cell is all zeros.
   *
   * @param rgb the cell's pixels, packed {@code 0xRRGGBB}, row-major
   * @param into the destination, {@code rgb.length} floats from {@code offset}
   */
  static void encode(int[] rgb, float[] into, int offset) {
    Optional<WorldColor> tint = TintReader.read(rgb);
    if (tint.isEmpty()) {
      java.util.Arrays.fill(into, offset, offset + rgb.length, 0f);
      return;
    }
    TintReader.ink(rgb, tint.get(), into, offset);
  }
}
