package org.aia4j.djl.model;

/**
 * What a forward pass keeps of each layer's attention besides the logits. Every capture is part
 * of the autograd graph, so a loss computed from it trains the model.
 */
public enum Capture {
  /** Logits only: the fastest. */
  NONE(false, false),
  /** Each layer's post-softmax probabilities {@code (B, H, T, T)}. */
  PROBABILITIES(true, false),
  /**
   * Each layer's per-head queries and keys {@code (B, H, T, d)}, unscaled; enough to recompute
   * any rows of the probabilities (see {@link ForwardOutput#queries()}) without the full map.
   */
  QUERY_KEYS(false, true),
  /** Both. */
  ALL(true, true);

  private final boolean probabilities;
  private final boolean queryKeys;

  Capture(boolean probabilities, boolean queryKeys) {
    this.probabilities = probabilities;
    this.queryKeys = queryKeys;
  }

  /** @return whether post-softmax probabilities are kept */
  public boolean probabilities() {
    return probabilities;
  }

  /** @return whether queries and keys are kept */
  public boolean queryKeys() {
    return queryKeys;
  }
}
