package org.aia4j.api.data;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * An image-to-text training sample: the model sees the image and the prompt and learns to
 * produce the answer (DESIGN section 4: {@code <bos> <boi> image <eoi> prompt <answer> answer <eos>}).
 *
 * <p>The image comes either as pixels ({@link #image()}, encoded by the trainer's image tokenizer)
 * or, for data whose image tokenizer ran elsewhere, as that tokenizer's codes ({@link
 * #imageCodes()}, see {@link #tokenized}); exactly one of the two is present.
 *
 * @param image the image the prompt is about, or null when the sample carries {@code imageCodes}
 * @param imageCodes the image tokenizer's codes of the image, in raster order, or null when the
 *     sample carries the {@code image}
 * @param prompt the question or instruction, e.g. an MMBench-style prompt or "Describe the image."
 * @param answer the target text; the token loss is on it only
 */
public record UnderstandingSample(BufferedImage image, int[] imageCodes, String prompt, String answer) {

  // Validates that every part is present; an empty answer would give no training signal.
  public UnderstandingSample {
    if ((image == null) == (imageCodes == null)) {
      throw new IllegalArgumentException("exactly one of image and imageCodes must be given");
    }
    imageCodes = imageCodes == null ? null : imageCodes.clone();
    Objects.requireNonNull(prompt, "prompt must not be null");
    Objects.requireNonNull(answer, "answer must not be null");
    if (answer.isBlank()) {
      throw new IllegalArgumentException("answer must not be blank");
    }
  }

  /** A sample with pixels, to be encoded by the trainer's image tokenizer. */
  public UnderstandingSample(BufferedImage image, String prompt, String answer) {
    this(Objects.requireNonNull(image, "image must not be null"), null, prompt, answer);
  }

  /**
   * A pre-tokenized sample: the image as codes of the image tokenizer the model is trained with.
   *
   * @param imageCodes the codes, checked against the tokenizer when the sample is laid out
   */
  public static UnderstandingSample tokenized(int[] imageCodes, String prompt, String answer) {
    return new UnderstandingSample(null, Objects.requireNonNull(imageCodes, "imageCodes must not be null"),
        prompt, answer);
  }

  /** @return a copy of the codes, or null for a sample with pixels */
  @Override
  public int[] imageCodes() {
    return imageCodes == null ? null : imageCodes.clone();
  }

  /** @return whether the image comes as codes instead of pixels */
  public boolean isTokenized() {
    return imageCodes != null;
  }
}
