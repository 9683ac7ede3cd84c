package org.aia4j.api.model;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * One understanding request: a question about an image.
 *
 * @param image the image the question is about; the model resizes or rejects it as its tokenizer
 *     requires
 * @param prompt the question, including any hint or options, as the model should read it
 * @param maxNewTokens how many tokens the answer may have at most
 * @param sampling how the answer is decoded
 */
public record AnswerRequest(
    BufferedImage image, String prompt, int maxNewTokens, SamplingSettings sampling) {

  // Validates the request; each violation names the field.
  public AnswerRequest {
    Objects.requireNonNull(image, "image must not be null");
    if (prompt == null || prompt.isBlank()) {
      throw new IllegalArgumentException("prompt must not be blank");
    }
    if (maxNewTokens <= 0) {
      throw new IllegalArgumentException("maxNewTokens must be > 0, got " + maxNewTokens);
    }
    Objects.requireNonNull(sampling, "sampling must not be null");
  }

  /**
   * A request decoded greedily, the usual way to answer benchmark questions.
   *
   * @param image the image
   * @param prompt the question
   * @param maxNewTokens the answer's maximum length in tokens
   */
  public AnswerRequest(BufferedImage image, String prompt, int maxNewTokens) {
    this(image, prompt, maxNewTokens, SamplingSettings.greedy());
  }
}
