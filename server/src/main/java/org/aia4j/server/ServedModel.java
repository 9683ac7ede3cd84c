package org.aia4j.server;

import java.util.Objects;
import java.util.Optional;
import org.aia4j.api.model.ModelLimits;
import org.aia4j.api.model.Task;
import org.aia4j.api.model.UnifiedModel;
import org.aia4j.api.tokenizer.TextTokenizer;

/**
 * The model being served and what the server can know of it before decoding, all through the
 * model SPI: its id, its {@link ModelLimits} and its text tokenizer, so requests are checked and
 * counted exactly before they queue. A model that says neither is served too; it then checks
 * requests itself, and token counts are words.
 */
public final class ServedModel {
  private final UnifiedModel model;
  private final String id;
  private final ModelLimits limits;
  private final TextTokenizer text;

  /**
   * @param model the loaded model; the server closes it on shutdown
   * @param id the name clients use in {@code model}
   */
  public ServedModel(UnifiedModel model, String id) {
    this.model = Objects.requireNonNull(model, "model");
    this.id = Objects.requireNonNull(id, "id");
    Optional<TextTokenizer> tokenizer = model.textTokenizer();
    boolean known = model.limits().known() && tokenizer.isPresent();
    this.limits = known ? model.limits() : ModelLimits.UNKNOWN;
    this.text = known ? tokenizer.get() : null;
  }

  /**
   * @throws UnsupportedOperationException (a 400 to the client) when the model only continues
   *     text: an imported decoder has no image layout to answer about images or draw them
   */
  public void requireMultimodal(String route) {
    if (!model.handlesImages()) {
      throw new UnsupportedOperationException("The model '" + id + "' continues text only (an imported decoder"
          + " without an image-token layout and image tokenizer); " + route + " is not available for it: use POST"
          + " /v1/completions");
    }
  }

  /** @return the model */
  public UnifiedModel model() {
    return model;
  }

  /** @return the id clients name it by */
  public String id() {
    return id;
  }

  /** @return true when its limits and text tokenizer are known */
  public boolean known() {
    return text != null;
  }

  /** @return the most positions it takes, or 0 when unknown */
  public int maxLength() {
    return limits.contextLength();
  }

  /** @return the side of the square images it reads and draws, or 0 when unknown */
  public int imageSize() {
    return limits.imageSize();
  }

  /** @return tokens per image, or 0 when unknown */
  public int tokensPerImage() {
    return limits.tokensPerImage();
  }

  /** @return tokens the model reads to answer {@code prompt} about an image: {@code <bos> <boi> image <eoi> prompt <answer>} */
  public int answerPromptTokens(String prompt) {
    return known() ? model.promptTokens(Task.UNDERSTANDING, prompt).orElse(words(prompt)) : words(prompt);
  }

  /** @return tokens of the generation prefix {@code <bos> prompt <boi>} */
  public int generationPromptTokens(String prompt) {
    return known() ? model.promptTokens(Task.GENERATION, prompt).orElse(words(prompt)) : words(prompt);
  }

  /** @return the text of answer tokens, as the model joins them */
  public String decode(int[] textIds) {
    if (text == null) {
      throw new IllegalStateException("Model " + id + " does not expose its text tokenizer");
    }
    return text.decode(textIds);
  }

  /** @return the words of {@code text}, the token count of models whose tokenizer is unknown */
  public static int words(String text) {
    String s = text.strip();
    return s.isEmpty() ? 0 : s.split("\\s+").length;
  }
}
