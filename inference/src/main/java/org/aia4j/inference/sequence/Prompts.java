package org.aia4j.inference.sequence;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Objects;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.api.tokenizer.TextTokenizer;

/**
 * What inference feeds a unified model before it decodes (DESIGN section 4), the same on every
 * backend:
 *
 * <pre>
 *   answering:                  &lt;bos&gt; &lt;boi&gt; image &lt;eoi&gt; prompt &lt;answer&gt;
 *   generation:                 &lt;bos&gt; prompt &lt;boi&gt;
 *   generation, unconditional:  &lt;bos&gt; &lt;boi&gt;        (classifier-free guidance)
 * </pre>
 */
public final class Prompts {
  /** The markers around an understanding prefix's image and question: {@code <bos> <boi> <eoi> <answer>}. */
  private static final int UNDERSTANDING_MARKERS = 4;

  private final TokenLayout layout;
  private final TextTokenizer text;
  private final ImageTokenizer image;

  /**
   * @param layout the unified vocabulary
   * @param text the text tokenizer the layout was made for
   * @param image the image tokenizer the layout was made for
   * @throws IllegalArgumentException if the tokenizers' sizes differ from the layout's
   */
  public Prompts(TokenLayout layout, TextTokenizer text, ImageTokenizer image) {
    this.layout = Objects.requireNonNull(layout, "layout");
    this.text = Objects.requireNonNull(text, "text");
    this.image = Objects.requireNonNull(image, "image");
    if (!TokenLayout.of(text, image).equals(layout)) {
      throw new IllegalArgumentException("The tokenizers (text vocabulary " + text.vocabularySize()
          + ", image codebook " + image.codebookSize() + ") do not match the layout " + layout);
    }
  }

  /** @return the unified vocabulary */
  public TokenLayout layout() {
    return layout;
  }

  /** @return the text tokenizer */
  public TextTokenizer text() {
    return text;
  }

  /** @return the image tokenizer */
  public ImageTokenizer image() {
    return image;
  }

  /** @return {@code <bos> <boi> image <eoi> prompt <answer>} */
  public int[] understandingPrefix(BufferedImage img, String prompt) {
    int[] codes = layout.fromImage(image.encode(img));
    int[] words = layout.fromText(text.encode(prompt));
    int[] out = new int[codes.length + words.length + UNDERSTANDING_MARKERS];
    int n = 0;
    out[n++] = TokenLayout.BOS;
    out[n++] = TokenLayout.BOI;
    System.arraycopy(codes, 0, out, n, codes.length);
    n += codes.length;
    out[n++] = TokenLayout.EOI;
    System.arraycopy(words, 0, out, n, words.length);
    n += words.length;
    out[n] = TokenLayout.ANSWER;
    return out;
  }

  /**
   * @return the length of {@link #understandingPrefix} for {@code prompt}, without encoding an
   *     image (every image takes {@link ImageTokenizer#tokensPerImage()} tokens)
   */
  public int understandingPrefixLength(String prompt) {
    return image.tokensPerImage() + text.encode(prompt).length + UNDERSTANDING_MARKERS;
  }

  /**
   * @param prompt the description, or null for the unconditional prefix of classifier-free
   *     guidance
   * @return {@code <bos> prompt <boi>}, or {@code <bos> <boi>}; then come {@link
   *     ImageTokenizer#tokensPerImage()} image tokens
   */
  public int[] generationPrefix(String prompt) {
    int[] words = prompt == null ? new int[0] : layout.fromText(text.encode(prompt));
    int[] out = new int[words.length + 2];
    out[0] = TokenLayout.BOS;
    System.arraycopy(words, 0, out, 1, words.length);
    out[out.length - 1] = TokenLayout.BOI;
    return out;
  }

  @Override
  public String toString() {
    return "Prompts" + Arrays.asList(layout, text.kind(), image.kind());
  }
}
