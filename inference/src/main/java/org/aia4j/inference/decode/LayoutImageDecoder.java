package org.aia4j.inference.decode;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.inference.sequence.ImageLayout;
import org.aia4j.inference.sequence.LayoutSequenceBuilder;

/**
 * Draws image codes from a decoder in its own layout: after the generation prefix (prompt and the
 * image's opening markers), each position of a {@code height x width} grid is sampled among the
 * image codes only, and the layout's row end is fed, not sampled, after each row; classifier-free
 * guidance runs each sample's unconditional row (the layout's unconditional prompt) in the same
 * batch, {@code u + w (c - u)} on the logits. Sample {@code k} samples with seed {@code seed + k}.
 */
public final class LayoutImageDecoder {
  private final LayoutSequenceBuilder layout;
  private final boolean[] allowed;
  /** The code of each id, -1 for ids that are none. */
  private final int[] codeOf;
  private final int maxLength;

  /**
   * @param layout the model's layout
   * @param vocabSize the model's vocabulary
   * @param usedCodes how many codes, from 0, the image tokenizer emits (the others are never drawn)
   * @param maxLength the model's longest sequence
   */
  public LayoutImageDecoder(LayoutSequenceBuilder layout, int vocabSize, int usedCodes, int maxLength) {
    this.layout = Objects.requireNonNull(layout, "layout");
    this.maxLength = maxLength;
    this.allowed = new boolean[vocabSize];
    this.codeOf = new int[vocabSize];
    java.util.Arrays.fill(codeOf, -1);
    int[] codeIds = layout.layout().codeIds();
    for (int c = 0; c < codeIds.length; c++) {
      codeOf[codeIds[c]] = c;
      allowed[codeIds[c]] = c < usedCodes;
    }
  }

  /**
   * @param decoding a fresh decoding of the model, used once
   * @param prompts one prompt per image to draw
   * @param seeds one sampler seed per image
   * @param sampling temperature, top-k and the CFG weight (1: no unconditional rows)
   * @param height the grid's rows
   * @param width the grid's columns
   * @return per image, {@code height * width} codes in raster order
   * @throws IllegalArgumentException if a prompt and its image do not fit the model's length
   */
  public int[][] draw(Decoding decoding, List<String> prompts, long[] seeds, SamplingSettings sampling, int height,
      int width) {
    boolean guided = sampling.cfgWeight() != 1.0;
    ImageLayout.Resolved resolved = layout.layout();
    int imageLength = height * width + (resolved.rowEnd() >= 0 ? height : 0);
    List<int[]> prefixes = new ArrayList<>();
    int[] unconditional = layout.generationPrefix("", true, height, width);
    for (int k = 0; k < prompts.size(); k++) {
      int[] prefix = layout.generationPrefix(prompts.get(k), false, height, width);
      if (Math.max(prefix.length, unconditional.length) + imageLength > maxLength) {
        throw new IllegalArgumentException("Prompt " + k + " takes " + prefix.length + " tokens and its image "
            + imageLength + ", more than the model's length of " + maxLength);
      }
      prefixes.add(prefix);
      if (guided) {
        prefixes.add(unconditional);
      }
    }
    int rowsPerSample = guided ? 2 : 1;
    TokenSampler[] samplers = new TokenSampler[prompts.size()];
    for (int k = 0; k < samplers.length; k++) {
      samplers[k] = new TokenSampler(sampling, seeds[k]);
    }
    int[][] codes = new int[prompts.size()][height * width];
    float[][] logits = decoding.start(prefixes);
    int[] fed = new int[prefixes.size()];
    for (int t = 0; t < height * width; t++) {
      for (int k = 0; k < samplers.length; k++) {
        float[] cond = logits[k * rowsPerSample];
        float[] scores = guided ? TokenSampler.guide(cond, logits[k * rowsPerSample + 1], sampling.cfgWeight()) : cond;
        int token = samplers[k].pick(scores, allowed);
        codes[k][t] = codeOf[token];
        fed[k * rowsPerSample] = token;
        if (guided) {
          fed[k * rowsPerSample + 1] = token;
        }
      }
      if (t + 1 == height * width) {
        break;
      }
      logits = decoding.next(fed);
      if ((t + 1) % width == 0 && resolved.rowEnd() >= 0) { // a row is complete: its end is the layout's, not drawn
        java.util.Arrays.fill(fed, resolved.rowEnd());
        logits = decoding.next(fed);
      }
    }
    return codes;
  }
}
