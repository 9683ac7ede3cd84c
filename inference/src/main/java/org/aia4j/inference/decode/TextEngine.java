package org.aia4j.inference.decode;

import java.util.List;
import java.util.OptionalInt;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.inference.profile.ExplicitSequence;

/**
 * A decoder run on raw ids, by one engine: text continuation and the interaction statistic over
 * explicit sequences. What {@code aia complete}, {@code aia profile --sequences} and the server's
 * completions endpoint call, whatever the backend.
 */
public interface TextEngine extends AutoCloseable {

  /**
   * Continues {@code prompt}, fed verbatim, with the KV cache.
   *
   * @param prompt the prompt's ids, at least one
   * @param maxTokens the most ids to generate
   * @param sampling temperature (0 = greedy), top-k and seed; the CFG weight is ignored
   * @param stop the id that ends the continuation (included in the result), if any
   * @return the generated ids only, the prompt excluded
   * @throws IllegalArgumentException if the prompt plus {@code maxTokens} exceed the model's length
   */
  default int[] complete(int[] prompt, int maxTokens, SamplingSettings sampling, OptionalInt stop) {
    return completeBatch(new int[][] {prompt}, maxTokens, sampling, stop)[0];
  }

  /**
   * Continues several prompts in one batch (left-padded, positions counted from each row's first
   * id, so every row gets what it gets alone). Row {@code r} samples with seed {@code
   * sampling.seed() + r}.
   *
   * @return per prompt, its generated ids, each ending at {@code stop} or after {@code maxTokens}
   */
  int[][] completeBatch(int[][] prompts, int maxTokens, SamplingSettings sampling, OptionalInt stop);

  /**
   * @return per sequence, {@code I_l} per layer, each sequence run alone (no padding)
   */
  List<double[]> interaction(List<ExplicitSequence> sequences);

  /**
   * @return a fresh batched decoding of the model (its KV cache), for decode loops other than plain
   *     continuation, such as drawing image codes; the caller closes it
   */
  Decoding decoding();

  /** @return the engine's name, e.g. {@code djl} */
  String engine();

  @Override
  void close();
}
