package org.aia4j.api.model;

import java.util.Objects;

/**
 * One turn of a text conversation, as OpenAI's chat API and Hugging Face's chat templates see it.
 *
 * @param role {@code system}, {@code user} or {@code assistant} (a template may know others)
 * @param content the turn's text
 */
public record ChatMessage(String role, String content) {
  public ChatMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
  }
}
