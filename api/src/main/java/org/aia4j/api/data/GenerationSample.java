package org.aia4j.api.data;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * A text-to-image training sample (DESIGN section 4: {@code <bos> prompt <boi> image <eoi> <eos>};
 * the token loss is on the image).
 *
 * <p>The target image comes either as pixels ({@link #image()}) or, for data whose image
 * tokenizer ran elsewhere, as that tokenizer's codes ({@link #imageCodes()}, see {@link
 * #tokenized}); exactly one of the two is present.
 *
 * @param prompt the description the image must satisfy, e.g. "a photo of a red circle"
 * @param image the target image, or null when the sample carries {@code imageCodes}
 * @param imageCodes the image tokenizer's codes of the target image, in raster order, or null when
 *     the sample carries the {@code image}
 */
public record GenerationSample(String prompt, BufferedImage image, int[] imageCodes) {

  // Validates that both parts are present.
  public GenerationSample {
    Objects.requireNonNull(prompt, "prompt must not be null");
    if ((image == null) == (imageCodes == null)) {
      throw new IllegalArgumentException("exactly one of image and imageCodes must be given");
    }
    imageCodes = imageCodes == null ? null : imageCodes.clone();
  }

  /** A sample with pixels, to be encoded by the trainer's image tokenizer. */
  public GenerationSample(String prompt, BufferedImage image) {
    this(prompt, Objects.requireNonNull(image, "image must not be null"), null);
  }

  /**
   * A pre-tokenized sample: the target image as codes of the image tokenizer the model is trained with.
   *
   * @param imageCodes the codes, checked against the tokenizer when the sample is laid out
   */
  public static GenerationSample tokenized(String prompt, int[] imageCodes) {
    return new GenerationSample(prompt, null, Objects.requireNonNull(imageCodes, "imageCodes must not be null"));
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
