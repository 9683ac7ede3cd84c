package org.aia4j.api.model;

/**
 * The sizes a model takes, so callers (the server, the benchmarks) can refuse a request that
 * cannot fit before it queues. Zero means unknown: the model then checks requests itself.
 *
 * @param contextLength the most positions one sequence takes: prompt plus decoded tokens
 * @param imageSize the side of the square images the model reads and draws, in pixels
 * @param tokensPerImage the tokens one image takes in the sequence
 */
public record ModelLimits(int contextLength, int imageSize, int tokensPerImage) {
  /** Nothing known. */
  public static final ModelLimits UNKNOWN = new ModelLimits(0, 0, 0);

  public ModelLimits {
    if (contextLength < 0 || imageSize < 0 || tokensPerImage < 0) {
      throw new IllegalArgumentException("Model limits must not be negative: " + contextLength + ", " + imageSize
          + ", " + tokensPerImage);
    }
  }

  /** @return true when the context length is known */
  public boolean known() {
    return contextLength > 0;
  }
}
