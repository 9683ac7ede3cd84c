package org.aia4j.evaluation.data;

import java.util.Locale;

/**
 * How {@link WorldTrainingData} mixes its samples. Weights are relative within each task (they
 * need not sum to one) and a zero weight turns a kind off.
 *
 * <p>Defaults ({@link #defaults()}):
 *
 * <table>
 *   <caption>Default mix</caption>
 *   <tr><th>task</th><th>kind</th><th>weight</th><th>what</th></tr>
 *   <tr><td>understanding</td><td>multipleChoice</td><td>0.75</td><td>an MMBench-style question,
 *       prompt exactly as the evaluation builds it, answer the option's text</td></tr>
 *   <tr><td>understanding</td><td>caption</td><td>0.1</td><td>"Describe the image." and
 *       paraphrases, answer the dense caption ({@link WorldCaption})</td></tr>
 *   <tr><td>understanding</td><td>shortAnswer</td><td>0.15</td><td>a direct question, answer a
 *       word or two ({@link DirectQuestions})</td></tr>
 *   <tr><td>generation</td><td>genevalPrompt</td><td>0.7</td><td>a prompt from GenEval's six
 *       templates, tags equally likely</td></tr>
 *   <tr><td>generation</td><td>captionPrompt</td><td>0.3</td><td>a dense caption as the prompt</td></tr>
 * </table>
 *
 * <p>The token loss averages over answer tokens, so a 20-token caption weighs as much as seven
 * one-word answers: at 0.5/0.3/0.2 the multiple-choice answers got about a sixth of the
 * understanding gradient. Measured on dev suites (not the default ones), 0.75/0.1/0.15 learnt
 * counting and comparison much faster at the same budget.
 *
 * @param multipleChoice weight of MMBench-style multiple-choice understanding samples
 * @param caption weight of caption understanding samples
 * @param shortAnswer weight of direct-question understanding samples
 * @param genevalPrompt weight of generation samples prompted with a GenEval template
 * @param captionPrompt weight of generation samples prompted with a dense caption
 * @param tokenizerSeesHeldOut whether {@link WorldTrainingData#tokenizerImages} draws every
 *     combination (default) or training combinations only. The image tokenizer is a generic
 *     codec, not the model under test: fitted on training scenes only, it has no codes for a
 *     held-out object's patches (none of them occurs in any training scene), so neither suite
 *     could show or ask for a held-out object and the composition test would fail by construction.
 */
public record WorldDataOptions(double multipleChoice, double caption, double shortAnswer, double genevalPrompt,
    double captionPrompt, boolean tokenizerSeesHeldOut) {

  public WorldDataOptions {
    for (double w : new double[] {multipleChoice, caption, shortAnswer, genevalPrompt, captionPrompt}) {
      if (!(w >= 0) || Double.isInfinite(w)) {
        throw new IllegalArgumentException("Mix weights must be finite and >= 0, got " + w);
      }
    }
    if (multipleChoice + caption + shortAnswer <= 0) {
      throw new IllegalArgumentException("At least one understanding weight (multipleChoice, caption, shortAnswer) "
          + "must be > 0");
    }
    if (genevalPrompt + captionPrompt <= 0) {
      throw new IllegalArgumentException("At least one generation weight (genevalPrompt, captionPrompt) must be > 0");
    }
  }

  /** The documented default mix. */
  public static WorldDataOptions defaults() {
    return new WorldDataOptions(0.75, 0.1, 0.15, 0.7, 0.3, true);
  }

  /** This mix with other understanding weights. */
  public WorldDataOptions withUnderstanding(double multipleChoice, double caption, double shortAnswer) {
    return new WorldDataOptions(multipleChoice, caption, shortAnswer, genevalPrompt, captionPrompt,
        tokenizerSeesHeldOut);
  }

  /** This mix with other generation weights. */
  public WorldDataOptions withGeneration(double genevalPrompt, double captionPrompt) {
    return new WorldDataOptions(multipleChoice, caption, shortAnswer, genevalPrompt, captionPrompt,
        tokenizerSeesHeldOut);
  }

  /** This mix with the tokenizer images drawn from every combination or training ones only. */
  public WorldDataOptions withTokenizerSeesHeldOut(boolean seesHeldOut) {
    return new WorldDataOptions(multipleChoice, caption, shortAnswer, genevalPrompt, captionPrompt, seesHeldOut);
  }

  /** E.g. {@code mc:0.4/caption:0.4/short:0.2, gen:geneval:0.7/caption:0.3, tokenizer:all}. */
  public String describe() {
    return String.format(Locale.ROOT, "mc:%s/caption:%s/short:%s, gen:geneval:%s/caption:%s, tokenizer:%s",
        num(multipleChoice), num(caption), num(shortAnswer), num(genevalPrompt), num(captionPrompt),
        tokenizerSeesHeldOut ? "all" : "training");
  }

  private static String num(double w) {
    return w == Math.rint(w) ? Long.toString((long) w) : Double.toString(w);
  }
}
