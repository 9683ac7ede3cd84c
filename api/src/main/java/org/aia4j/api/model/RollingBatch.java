package org.aia4j.api.model;

import java.util.OptionalInt;

/**
 * A decode batch that requests join and leave between steps: iteration-level scheduling, as
 * vLLM's continuous batching and DJL Serving's rolling batch do it. A request added now is
 * prefilled at the next {@link #step()}, folded into the running batch, and decodes alongside the
 * rows already there; a row that ends leaves at once, so its slot is free for the next request
 * instead of idling until the batch's longest answer is done. A row's tokens do not depend on the
 * rows beside it (padding is masked and positions count from each row's own first token), so a
 * request gets what it gets decoded alone.
 *
 * <p>Not thread-safe: one thread adds rows and steps (the server's batcher). Open one with {@link
 * UnifiedModel#rollingBatch()}; closing it releases its cache and ends no listener.
 */
public interface RollingBatch extends AutoCloseable {

  /**
   * Adds a question about an image; the model's answer loop in every other respect (prefix,
   * length budget, sampling and its seed, where the answer ends).
   *
   * @param listener told the answer's tokens (ids of {@link UnifiedModel#textTokenizer()}) and its end
   * @throws IllegalArgumentException if the request does not fit the model (image size, prompt
   *     length); nothing is added
   * @throws UnsupportedOperationException if this model does not answer about images
   */
  void addAnswer(AnswerRequest request, RowListener listener);

  /**
   * Adds a continuation of raw ids, as {@link TextCompletion#complete} makes one row of it.
   *
   * @param prompt the ids fed verbatim, at least one
   * @param maxTokens the most ids to generate
   * @param sampling temperature, top-k and this row's seed
   * @param stop the id that ends the row (not reported), if any
   * @param listener told each id and the end
   * @throws IllegalArgumentException if the prompt is empty, holds an id outside the vocabulary, or
   *     with {@code maxTokens} exceeds the model's positions; nothing is added
   * @throws UnsupportedOperationException if this model continues no raw ids
   */
  void addText(int[] prompt, int maxTokens, SamplingSettings sampling, OptionalInt stop, RowListener listener);

  /**
   * Prefills the rows added since the last step into the running batch, then decodes one token
   * for every row; a row that ends (its end token, its budget, or its listener {@link
   * RowListener#stopped() stopped} it) is told so and leaves.
   *
   * @return rows still running
   * @throws RuntimeException if the engine fails; the batch is then empty and its rows are not
   *     told, the caller fails them
   */
  int step();

  /** @return rows running or waiting for their prefill */
  int size();

  /** Releases the batch's cache. */
  @Override
  void close();
}
