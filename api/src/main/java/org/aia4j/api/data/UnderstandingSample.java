package org.aia4j.api.data;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * An image-to-text training sample: the model sees the image and the prompt and learns to
 * produce the answer (DESIGN section 4: {@code <bos> <boi> image <eoi> prompt <answer> answer <eos>}).
 *
 * @param image the image the prompt is about
 * @param prompt the question or instruction, e.g. an MMBench-style prompt or "Describe the image."
 * @param answer the target text; the token loss is on it only
 */
public record UnderstandingSample(BufferedImage image, String prompt, String answer) {

  // Validates that every part is present; an empty answer would give no training signal.
  public UnderstandingSample {
    Objects.requireNonNull(image, "image must not be null");
    Objects.requireNonNull(prompt, "prompt must not be null");
    Objects.requireNonNull(answer, "answer must not be null");
    if (answer.isBlank()) {
      throw new IllegalArgumentException("answer must not be blank");
    }
  }
}
