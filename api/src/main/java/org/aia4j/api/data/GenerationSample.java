package org.aia4j.api.data;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * A text-to-image training sample (DESIGN section 4: {@code <bos> prompt <boi> image <eoi> <eos>};
 * the token loss is on the image).
 *
 * @param prompt the description the image must satisfy, e.g. "a photo of a red circle"
 * @param image the target image
 */
public record GenerationSample(String prompt, BufferedImage image) {

  // Validates that both parts are present.
  public GenerationSample {
    Objects.requireNonNull(prompt, "prompt must not be null");
    Objects.requireNonNull(image, "image must not be null");
  }
}
