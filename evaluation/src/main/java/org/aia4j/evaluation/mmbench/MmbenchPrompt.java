package org.aia4j.evaluation.mmbench;

import java.util.Map;

/**
 * Builds the text MMBench shows a model next to the image, exactly as VLMEvalKit's
 * {@code ImageMCQDataset.build_prompt} does:
 *
 * <pre>
 * Hint: {hint}                      (only when there is a hint)
 * Question: {question}
 * Options:
 * A. {option A}
 * B. {option B}
 * Please select the correct answer from the options above. 
 * </pre>
 *
 * (the instruction line ends with a space before its newline, as in VLMEvalKit).
 */
public final class MmbenchPrompt {
  /** The instruction VLMEvalKit appends after the options. */
  public static final String INSTRUCTION = "Please select the correct answer from the options above. ";

  private MmbenchPrompt() {}

  /** The prompt for one row. */
  public static String build(MmbenchQuestion row) {
    return build(row.hint(), row.question(), row.options());
  }

  /**
   * The prompt for a hint (empty for none), a question and options in letter order.
   */
  public static String build(String hint, String question, Map<String, String> options) {
    StringBuilder prompt = new StringBuilder();
    if (hint != null && !hint.isEmpty()) {
      prompt.append("Hint: ").append(hint).append('\n');
    }
    prompt.append("Question: ").append(question).append('\n');
    if (!options.isEmpty()) {
      prompt.append("Options:\n");
      options.forEach((letter, text) -> prompt.append(letter).append(". ").append(text).append('\n'));
      prompt.append(INSTRUCTION).append('\n');
    }
    return prompt.toString();
  }
}
