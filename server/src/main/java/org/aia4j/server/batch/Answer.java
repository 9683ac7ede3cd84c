package org.aia4j.server.batch;

/**
 * A decoded answer and its token counts, for OpenAI's {@code usage}.
 *
 * @param text the answer
 * @param promptTokens tokens the model read: image, prompt and specials
 * @param completionTokens tokens the answer took
 * @param budget the most tokens the answer could take (max_tokens, clipped by the model's length);
 *     an answer that used all of them was cut
 */
public record Answer(String text, int promptTokens, int completionTokens, int budget) {
  /** @return OpenAI's finish reason: {@code length} when the budget ran out, else {@code stop} */
  public String finishReason() {
    return completionTokens >= budget ? "length" : "stop";
  }
}
