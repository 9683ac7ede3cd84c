package org.aia4j.djl.judge;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
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

  /**
   * Encodes a cell as the network reads it: 3 channels, each pixel's distance from GenEval's grey
   * background divided by 128, so an empty cell is all zeros whatever the tint.
   *
   * @param rgb the cell's pixels, packed {@code 0xRRGGBB}, row-major
   * @param into the destination, {@code 3 * rgb.length} floats from {@code offset}, channel-major
   */
  static void encode(int[] rgb, float[] into, int offset) {
    int n = rgb.length;
    int bg = WorldColor.BACKGROUND_RGB;
    for (int c = 0; c < 3; c++) {
      int shift = 16 - 8 * c;
      int background = bg >> shift & 0xFF;
      for (int i = 0; i < n; i++) {
        into[offset + c * n + i] = ((rgb[i] >> shift & 0xFF) - background) / 128f;
      }
    }
  }
}
