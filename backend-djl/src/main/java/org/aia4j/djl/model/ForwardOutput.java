package org.aia4j.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * What {@link UnifiedTransformer#forward} returns. Arrays live in the manager of the input
 * tokens (the trainer's per-step manager); lists are empty when not captured, never null.
 *
 * <p>Layer {@code l}'s probabilities relate to its queries and keys as
 *
 * <pre>
 *   A_l = softmax( q_l k_l^T / sqrt(d) + causal ),   causal[i][j] = 0 if j &lt;= i else -1e9
 * </pre>
 *
 * over the last axis (for incremental decoding, query {@code i} sits at absolute position {@code
 * cacheLength + i} and may see keys {@code j <= cacheLength + i}). So {@code A_l[b, h, Q, :]} for a
 * query set {@code Q} needs only {@code q_l[b, h, Q, :]} and all of {@code k_l}.
 *
 * @param logits {@code (B, T, V)}: next-token logits at every position
 * @param attentions per layer {@code (B, H, T, S)} post-softmax probabilities ({@code S = T}
 *     without a KV cache); empty unless {@link Capture#probabilities()}
 * @param queries per layer {@code (B, H, T, d)} queries, before the {@code 1/sqrt(d)} scaling;
 *     empty unless {@link Capture#queryKeys()}
 * @param keys per layer {@code (B, H, S, d)} keys (with a KV cache: cached and new); empty unless
 *     {@link Capture#queryKeys()}
 */
public record ForwardOutput(NDArray logits, NDList attentions, NDList queries, NDList keys) {

  /** @return the number of layers with captured attention, 0 when nothing was captured */
  public int capturedLayers() {
    return Math.max(attentions.size(), queries.size());
  }
}
