package org.aia4j.inference.sequence;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import org.aia4j.api.data.GenerationSample;
import org.aia4j.api.data.UnderstandingSample;
import org.aia4j.api.interaction.TokenRole;
import org.aia4j.api.model.Task;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.api.tokenizer.TextTokenizer;

/**
 * Lays samples out as sequences of the unified vocabulary (DESIGN section 4):
 *
 * <pre>
 *   understanding:           &lt;bos&gt; &lt;boi&gt; image &lt;eoi&gt; prompt &lt;answer&gt; answer &lt;eos&gt;
 *                            loss on predicting the answer tokens and &lt;eos&gt;
 *   generation:              &lt;bos&gt; prompt &lt;boi&gt; image &lt;eoi&gt; &lt;eos&gt;
 *                            loss on predicting the image tokens, &lt;eoi&gt; and &lt;eos&gt;
 *   generation, prompt dropped (classifier-free guidance):
 *                            &lt;bos&gt; &lt;boi&gt; image &lt;eoi&gt; &lt;eos&gt;
 * </pre>
 *
 * The {@code *Prefix} methods give what inference feeds before decoding. The {@code int[]}
 * overloads take tokenizer-local ids (image codes, text ids), so a trainer can cache encoded
 * images.
 */
public final class SequenceBuilder implements SampleSequences {

  private final TokenLayout layout;
  private final TextTokenizer text;
  private final ImageTokenizer image;
  private final Prompts prompts;

  /**
   * @param layout the unified vocabulary
   * @param text the text tokenizer the layout was made for
   * @param image the image tokenizer the layout was made for
   * @throws IllegalArgumentException if the tokenizers' sizes differ from the layout's
   */
  public SequenceBuilder(TokenLayout layout, TextTokenizer text, ImageTokenizer image) {
    this.prompts = new Prompts(layout, text, image); // checks that the sizes match
    this.layout = layout;
    this.text = text;
    this.image = image;
  }

  /** @return the unified vocabulary */
  public TokenLayout layout() {
    return layout;
  }

  @Override
  public void checkImageCodes(int[] codes) {
    checkedCodes(codes);
  }

  /** Lays out an understanding sample, encoding its image (unless it carries codes) and texts. */
  @Override
  public TokenSequence understanding(UnderstandingSample sample) {
    int[] codes = sample.isTokenized() ? sample.imageCodes() : image.encode(sample.image());
    return understanding(codes, sample.prompt(), sample.answer());
  }

  /**
   * @param imageCodes the image tokenizer's codes of the image
   * @param prompt the question
   * @param answer the target answer, not blank
   * @return {@code <bos> <boi> image <eoi> prompt <answer> answer <eos>}
   */
  public TokenSequence understanding(int[] imageCodes, String prompt, String answer) {
    int[] answerIds = text.encode(answer);
    if (answerIds.length == 0) {
      throw new IllegalArgumentException("The answer '" + answer + "' encodes to no tokens");
    }
    SequenceAppender seq = new SequenceAppender();
    seq.add(TokenLayout.BOS, TokenRole.BOS);
    seq.add(TokenLayout.BOI, TokenRole.OTHER);
    seq.add(layout.fromImage(checkedCodes(imageCodes)), TokenRole.IMAGE);
    seq.add(TokenLayout.EOI, TokenRole.OTHER);
    seq.add(layout.fromText(text.encode(prompt)), TokenRole.TEXT);
    int marker = seq.add(TokenLayout.ANSWER, TokenRole.OTHER);
    seq.add(layout.fromText(answerIds), TokenRole.ANSWER);
    int eos = seq.add(TokenLayout.EOS, TokenRole.OTHER);
    // <answer> predicts the first answer token; the last answer token predicts <eos>.
    return seq.build(Task.UNDERSTANDING, marker, eos - 1, false);
  }

  /**
   * Lays out a generation sample, encoding its image (unless it carries codes) and prompt.
   *
   * @param sample the sample
   * @param dropPrompt true to remove the prompt (classifier-free guidance)
   */
  @Override
  public TokenSequence generation(GenerationSample sample, boolean dropPrompt) {
    int[] codes = sample.isTokenized() ? sample.imageCodes() : image.encode(sample.image());
    return generation(sample.prompt(), codes, dropPrompt);
  }

  /**
   * @param prompt the description
   * @param imageCodes the image tokenizer's codes of the target image
   * @param dropPrompt true to remove the prompt (classifier-free guidance)
   * @return {@code <bos> prompt <boi> image <eoi> <eos>}, without the prompt when dropped
   */
  public TokenSequence generation(String prompt, int[] imageCodes, boolean dropPrompt) {
    SequenceAppender seq = new SequenceAppender();
    seq.add(TokenLayout.BOS, TokenRole.BOS);
    if (!dropPrompt) {
      seq.add(layout.fromText(text.encode(prompt)), TokenRole.TEXT);
    }
    int boi = seq.add(TokenLayout.BOI, TokenRole.OTHER);
    seq.add(layout.fromImage(checkedCodes(imageCodes)), TokenRole.IMAGE);
    int eoi = seq.add(TokenLayout.EOI, TokenRole.OTHER);
    seq.add(TokenLayout.EOS, TokenRole.OTHER);
    // <boi> predicts the first image token, ..., <eoi> predicts <eos>.
    return seq.build(Task.GENERATION, boi, eoi, dropPrompt);
  }

  /** @return what inference feeds before decoding an answer ({@link Prompts#understandingPrefix}) */
  public int[] understandingPrefix(BufferedImage img, String prompt) {
    return prompts.understandingPrefix(img, prompt);
  }

  /** @return what inference feeds before decoding an image ({@link Prompts#generationPrefix}) */
  public int[] generationPrefix(String prompt) {
    return prompts.generationPrefix(prompt);
  }

  /** @return the inference prefixes of this layout */
  public Prompts prompts() {
    return prompts;
  }

  private int[] checkedCodes(int[] codes) {
    ImageTokenizer.checkCodes(codes, image.tokensPerImage(), image.codebookSize());
    return codes;
  }
}
