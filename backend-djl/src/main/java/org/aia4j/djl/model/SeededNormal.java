package org.aia4j.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;
import java.util.Random;

/**
 * Normal(0, std) values drawn in Java from a seed, so the initial parameters depend only on the
 * seed and the parameter's name: not on the engine, the device, or the order of initialisation.
 */
final class SeededNormal implements Initializer {

  private final long seed;
  private final double std;

  /**
   * @param modelSeed the model's seed
   * @param name the parameter's name
   * @param std the standard deviation
   */
  SeededNormal(long modelSeed, String name, double std) {
    // java.util.Random's sequence is fixed by its specification; mix the name in so every
    // parameter gets its own stream.
    this.seed = modelSeed * 0x9E3779B97F4A7C15L + name.hashCode();
    this.std = std;
  }

  @Override
  public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
    Random random = new Random(seed);
    float[] values = new float[Math.toIntExact(shape.size())];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (random.nextGaussian() * std);
    }
    NDArray array = TorchMemory.copyOf(manager, values, shape);
    return dataType == DataType.FLOAT32 ? array : array.toType(dataType, false);
  }
}
