package org.aia4j.server;

import java.util.Objects;
import org.aia4j.api.model.UnifiedModel;
import org.aia4j.inference.decode.DecodingModel;
import org.aia4j.inference.sequence.Prompts;

/**
 * The model being served and what the server can know of it before decoding: its id, its
 * tokenizers and length when it runs on the shared decode loops ({@link DecodingModel}), so
 * requests are checked and counted exactly before they queue. Any other {@link UnifiedModel} is
 * served too; it then checks requests itself, and token counts are words.
 */
public final class ServedModel {
  private final UnifiedModel model;
  private final String id;
  private final Prompts prompts;
  private final int maxLength;

  /**
   * @param model the loaded model; the server closes it on shutdown
   * @param id the name clients use in {@code model}
   */
  public ServedModel(UnifiedModel model, String id) {
    this.model = Objects.requireNonNull(model, "model");
    this.id = Objects.requireNonNull(id, "id");
    if (model instanceof DecodingModel decoding) {
      this.prompts = decoding.prompts();
      this.maxLength = decoding.maxLength();
    } else {
      this.prompts = null;
      this.maxLength = 0;
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

  /** @return true when its limits and tokenizers are known (it runs on the shared decode loops) */
  public boolean known() {
    return prompts != null;
  }

  /** @return the most positions it takes, or 0 when unknown */
  public int maxLength() {
    return maxLength;
  }

  /** @return the side of the square images it reads and draws, or 0 when unknown */
  public int imageSize() {
    return prompts == null ? 0 : prompts.image().imageSize();
  }

  /** @return tokens per image, or 0 when unknown */
  public int tokensPerImage() {
    return prompts == null ? 0 : prompts.image().tokensPerImage();
  }

  /** @return tokens the model reads to answer {@code prompt} about an image: {@code <bos> <boi> image <eoi> prompt <answer>} */
  public int answerPromptTokens(String prompt) {
    return prompts == null ? words(prompt) : tokensPerImage() + prompts.text().encode(prompt).length + 4;
  }

  /** @return tokens of the generation prefix {@code <bos> prompt <boi>} */
  public int generationPromptTokens(String prompt) {
    return prompts == null ? words(prompt) : prompts.text().encode(prompt).length + 2;
  }

  /** @return the text of answer tokens, as the model joins them */
  public String decode(int[] textIds) {
    if (prompts == null) {
      throw new IllegalStateException("Model " + id + " does not expose its text tokenizer");
    }
    return prompts.text().decode(textIds);
  }

  /** @return the words of {@code text}, the token count of models whose tokenizer is unknown */
  public static int words(String text) {
    String s = text.strip();
    return s.isEmpty() ? 0 : s.split("\\s+").length;
  }
}
