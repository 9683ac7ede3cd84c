package org.aia4j.djl.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;

/**
 * One decoder layer of a {@link UnifiedTransformer}, of either family ({@link DecoderLayer} for
 * GPT, {@link LlamaDecoderLayer} for LLaMA). Its parameters are registered on the owning model.
 */
interface TransformerLayer {

  /**
   * @param x {@code (B, T, W)} the residual stream
   * @param causalBias {@code (T, S)} (or {@code (B, 1, T, S)} under padding) additive mask for these
   *     queries against all keys
   * @param rotary the rotary embedding of these positions; null for a family without one
   * @param cache past keys/values and where to put the new ones, or null
   * @param captured where to add this layer's captures (index 0 probabilities, 1 queries, 2 keys;
   *     keys per query head, after any position encoding)
   * @return {@code (B, T, W)} the updated residual stream
   */
  NDArray forward(
      ParameterStore ps,
      Device device,
      boolean training,
      NDArray x,
      NDArray causalBias,
      Rotary rotary,
      int layerIndex,
      KvCache cache,
      Capture capture,
      NDList[] captured);
}
