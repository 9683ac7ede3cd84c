package org.aia4j.djl.judge;

/**
 * How the judge is trained. Part of its cache key: a cached judge trained with other settings is
 * trained again.
 *
 * @param seed the seed of initialisation, shuffling, tints and noise
 * @param epochs passes over the training cells
 * @param batch cells per step
 * @param learningRate Adam's learning rate
 * @param noise the largest per-channel noise added to training cells, so the judge also reads
 *     cells a model drew imperfectly
 */
public record JudgeSettings(long seed, int epochs, int batch, double learningRate, int noise) {
  public JudgeSettings {
    if (epochs < 1 || batch < 1 || !(learningRate > 0) || noise < 0 || noise > 64) {
      throw new IllegalArgumentException("Judge settings out of range: " + epochs + " epochs, batch " + batch
          + ", learning rate " + learningRate + ", noise " + noise);
    }
  }

  /** The settings the world's scores are made with. */
  public static JudgeSettings standard() {
    return new JudgeSettings(0, 6, 128, 2e-3, 16);
  }
}
