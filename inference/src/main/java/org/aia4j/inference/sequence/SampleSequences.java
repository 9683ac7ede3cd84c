package org.aia4j.inference.sequence;

import org.aia4j.api.data.GenerationSample;
import org.aia4j.api.data.UnderstandingSample;

/**
 * How one model lays training samples out as token sequences, with the per-position roles the
 * interaction statistic reads: aia4j's own vocabulary ({@link SequenceBuilder}) or an imported
 * model's {@link ImageLayout} ({@link LayoutSequenceBuilder}). A trainer and a profiler know only
 * this.
 */
public interface SampleSequences {

  /**
   * @param sample an image-to-text sample (pixels, when the model has an image tokenizer, or codes)
   * @return its sequence, token loss on the answer and the end of text
   * @throws IllegalArgumentException if the sample does not fit the model (codes outside the
   *     codebook, an image without an image tokenizer, an empty answer)
   */
  TokenSequence understanding(UnderstandingSample sample);

  /**
   * @param sample a text-to-image sample
   * @param dropPrompt true to replace the prompt by the unconditional one (classifier-free guidance)
   * @return its sequence, token loss on the image and what closes it
   * @throws IllegalArgumentException if the sample does not fit the model
   */
  TokenSequence generation(GenerationSample sample, boolean dropPrompt);

  /**
   * Checks a pre-tokenized sample's codes before training starts, so a bad row fails at once.
   *
   * @param codes an image's codes
   * @throws IllegalArgumentException saying what does not fit
   */
  void checkImageCodes(int[] codes);
}
