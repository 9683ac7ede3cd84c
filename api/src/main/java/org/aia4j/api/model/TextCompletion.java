package org.aia4j.api.model;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A model's text continuation on raw ids, what {@code POST /v1/completions} serves: prompts in the
 * model's own ids, continued with its KV cache. Implementations are safe to call from several
 * threads (they serialise where their engine needs it).
 */
public interface TextCompletion {

  /** @return the ids of a text prompt, with the specials the model's tokenizer adds */
  int[] encode(String prompt);

  /**
   * A conversation as the model's prompt: its chat template rendered with the cue for the
   * assistant's turn, tokenized without adding specials (the template writes them).
   *
   * @param messages the conversation, oldest first
   * @return its ids, or empty when the model has no chat template
   * @throws IllegalArgumentException when the template refuses the conversation
   */
  default Optional<int[]> encodeChat(List<ChatMessage> messages) {
    return Optional.empty();
  }

  /**
   * @param ids generated ids
   * @param stop the id that ends a continuation, if any
   * @return {@code ids} without a final {@code stop} (the end of a turn is no part of its text);
   *     {@code ids} itself when it does not end with one
   */
  static int[] withoutStop(int[] ids, OptionalInt stop) {
    boolean stopped = stop.isPresent() && ids.length > 0 && ids[ids.length - 1] == stop.getAsInt();
    return stopped ? Arrays.copyOf(ids, ids.length - 1) : ids;
  }

  /** @return the text of generated ids */
  String decode(int[] ids);

  /** @return the id that ends a continuation, if the model's tokenizer has one */
  OptionalInt stop();

  /** @return the most positions a prompt and its continuation may take */
  int contextLength();

  /** @return the number of ids; a prompt's ids must be below it */
  int vocabularySize();

  /**
   * Continues prompts in one batch.
   *
   * @param prompts ids per prompt, each at least one
   * @param maxTokens the most ids per prompt
   * @param sampling temperature (0 = greedy), top-k and seed (row {@code r} uses seed + r)
   * @param stopAtEnd whether a row ends at {@link #stop()}
   * @return per prompt, its generated ids (the stop id included when met)
   */
  int[][] complete(int[][] prompts, int maxTokens, SamplingSettings sampling, boolean stopAtEnd);
}
