package org.aia4j.api.model;

import java.util.Objects;

/**
 * One generation request: draw {@code samples} images for a prompt.
 *
 * @param prompt what to draw; may be empty (unconditional generation) but not null
 * @param samples how many images to draw, at least 1 (GenEval uses 4)
 * @param sampling how image tokens are drawn; sample {@code i} should use {@code sampling.seed()
 *     + i} so a single image can be regenerated
 */
public record GenerationRequest(String prompt, int samples, SamplingSettings sampling) {

  // Validates the request; each violation names the field.
  public GenerationRequest {
    Objects.requireNonNull(prompt, "prompt must not be null (use \"\" for unconditional)");
    if (samples <= 0) {
      throw new IllegalArgumentException("samples must be > 0, got " + samples);
    }
    Objects.requireNonNull(sampling, "sampling must not be null");
  }

  /**
   * A request with {@link SamplingSettings#defaults()}.
   *
   * @param prompt what to draw
   * @param samples how many images
   */
  public GenerationRequest(String prompt, int samples) {
    this(prompt, samples, SamplingSettings.defaults());
  }
}
