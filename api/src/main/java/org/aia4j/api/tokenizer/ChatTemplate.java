package org.aia4j.api.tokenizer;

import java.util.List;
import org.aia4j.api.model.ChatMessage;

/**
 * How a model writes a conversation as text: Hugging Face's {@code chat_template} (a Jinja
 * template in {@code tokenizer_config.json}), rendered as {@code transformers}'
 * {@code apply_chat_template} renders it. The text already holds the model's specials (its BOS
 * included), so it is tokenized without adding any.
 */
public interface ChatTemplate {

  /**
   * @param messages the conversation, oldest first
   * @param addGenerationPrompt whether to end with the cue for the assistant's next turn
   * @return the conversation as the model reads it
   * @throws IllegalArgumentException when the template refuses the conversation (its {@code
   *     raise_exception}, an unknown role), with the template's message
   */
  String render(List<ChatMessage> messages, boolean addGenerationPrompt);
}
