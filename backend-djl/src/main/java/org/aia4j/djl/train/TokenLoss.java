package org.aia4j.djl.train;

import ai.djl.ndarray.NDArray;

/** Next-token cross-entropy averaged over the supervised positions of a batch. */
public final class TokenLoss {
  private TokenLoss() {}

  /**
   * @param logits {@code (B, T, V)}
   * @param labels {@code (B, T)} int64 next-token targets
   * @param mask {@code (B, T)} float 0/1: positions that count
   * @return the scalar mean negative log-likelihood over the positions where {@code mask} is 1
   */
  public static NDArray of(NDArray logits, NDArray labels, NDArray mask) {
    NDArray logProbabilities = logits.logSoftmax(-1);
    NDArray picked = logProbabilities.gather(labels.expandDims(-1), -1).squeeze(-1);
    return picked.mul(mask).sum().neg().div(mask.sum().maximum(1f));
  }
}
