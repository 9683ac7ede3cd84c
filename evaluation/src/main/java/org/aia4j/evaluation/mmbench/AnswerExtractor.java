package org.aia4j.evaluation.mmbench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MMBench's exact-matching answer extraction: VLMEvalKit's {@code can_infer} (in
 * {@code vlmeval/utils/matching_util.py}), without the LLM judge.
 *
 * <p>First {@link #inferOption} looks for an option letter: the answer's punctuation
 * {@code .()[],:;!*#{}} becomes spaces, the text is split on whitespace, and if exactly one option
 * letter occurs as a token and its first occurrence is among the last five tokens, that letter is
 * the answer ("B", "(C)", "B. blue", "The answer is B."). A lone "Z" token, or one of VLMEvalKit's
 * refusal phrases, gives {@code Z} (a refusal: never right). Failing that, "answer is X" /
 * "correct answer is **X**" picks X. Then {@link #inferText} looks for option texts: if the
 * lower-cased answer is at most twice as long as all option texts together and contains exactly
 * one option's text, that option is the answer. Otherwise the answer is unreadable and, in
 * exact-matching mode, wrong.
 *
 * <p>Quirks kept on purpose, so scores match VLMEvalKit's: the "answer is X" pattern is
 * case-insensitive and has no word boundary, so "The answer is blue" reads as {@code B} when B is
 * an option; option texts match as substrings ("no" inside "not"); a letter token early in a long
 * answer ("A red circle is at the top left ...") is not an option.
 */
public final class AnswerExtractor {
  /** What {@code can_infer_option} returns for a refusal. Never a correct answer. */
  public static final String REFUSAL = "Z";

  private static final String PUNCTUATION = ".()[],:;!*#{}";
  private static final String API_FAILURE = "Failed to obtain answer via API";
  private static final List<String> REFUSALS = List.of(
      "Sorry, I can't help with images of people yet.",
      "I can't process this file.",
      "I'm sorry, but without the image provided",
      "Cannot determine the answer");
  private static final Pattern VERBOSE_ANSWER = Pattern.compile(
      "(?:correct\\s+)?answer\\s+is\\s+\\**([ABCD])\\**",
      Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);

  private AnswerExtractor() {}

  /**
   * VLMEvalKit's {@code can_infer}: the option letter {@code answer} picks, {@link #REFUSAL}, or
   * empty when it picks none.
   *
   * @param options option letter to option text, in letter order (MMBench's {@code build_choices})
   */
  public static Optional<String> infer(String answer, Map<String, String> options) {
    String text = answer == null ? "" : answer;
    Optional<String> option = inferOption(text, options);
    return option.isPresent() ? option : inferText(text, options);
  }

  /** VLMEvalKit's {@code can_infer_option}: an option letter in the answer, or {@link #REFUSAL}. */
  public static Optional<String> inferOption(String answer, Map<String, String> options) {
    if (answer.contains(API_FAILURE)) {
      return Optional.empty();
    }
    for (String refusal : REFUSALS) {
      if (answer.contains(refusal)) {
        return Optional.of(REFUSAL);
      }
    }
    List<String> tokens = tokens(answer);
    int count = 0;
    for (String letter : options.keySet()) {
      if (tokens.contains(letter)) {
        count++;
      }
    }
    if (count == 1) {
      for (String letter : options.keySet()) {
        if (tokens.contains(letter) && tokens.indexOf(letter) > tokens.size() - 5) {
          return Optional.of(letter);
        }
      }
    } else if (count == 0 && tokens.contains(REFUSAL)) {
      return Optional.of(REFUSAL);
    }
    Matcher verbose = VERBOSE_ANSWER.matcher(answer);
    if (verbose.find()) {
      String letter = verbose.group(1).toUpperCase(Locale.ROOT);
      if (options.containsKey(letter)) {
        return Optional.of(letter);
      }
    }
    return Optional.empty();
  }

  /** VLMEvalKit's {@code can_infer_text}: the one option whose text the answer contains. */
  public static Optional<String> inferText(String answer, Map<String, String> options) {
    String lower = answer.toLowerCase(Locale.ROOT);
    int optionChars = 0;
    for (String text : options.values()) {
      optionChars += text.codePointCount(0, text.length());
    }
    if (lower.codePointCount(0, lower.length()) > 2 * optionChars) {
      return Optional.empty();
    }
    List<String> candidates = new ArrayList<>();
    options.forEach((letter, text) -> {
      if (lower.contains(text.toLowerCase(Locale.ROOT))) {
        candidates.add(letter);
      }
    });
    return candidates.size() == 1 ? Optional.of(candidates.get(0)) : Optional.empty();
  }

  /** The answer with VLMEvalKit's punctuation blanked, split like Python's {@code str.split()}. */
  static List<String> tokens(String answer) {
    List<String> tokens = new ArrayList<>();
    StringBuilder token = new StringBuilder();
    for (int i = 0; i < answer.length(); i++) {
      char c = answer.charAt(i);
      if (PUNCTUATION.indexOf(c) >= 0 || isPythonSpace(c)) {
        if (token.length() > 0) {
          tokens.add(token.toString());
          token.setLength(0);
        }
      } else {
        token.append(c);
      }
    }
    if (token.length() > 0) {
      tokens.add(token.toString());
    }
    return tokens;
  }

  /** Python's {@code str.isspace} for the characters that matter (it includes no-break spaces). */
  private static boolean isPythonSpace(char c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
  }
}
