package org.aia4j.tokenizers.hf;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.aia4j.api.model.ChatMessage;
import org.aia4j.api.tokenizer.ChatTemplate;

/**
 * A Hugging Face {@code chat_template} rendered with HubSpot's Jinja engine the way {@code
 * transformers}' {@code apply_chat_template} renders it with jinja2: blocks trimmed and
 * left-stripped ({@code trim_blocks}, {@code lstrip_blocks}), the conversation as {@code
 * messages} (a list of {@code {role, content}}), {@code add_generation_prompt}, the tokenizer's
 * special tokens as strings ({@code bos_token}, {@code eos_token}, {@code unk_token}, {@code
 * pad_token}) and {@code raise_exception(message)}, which refuses the conversation.
 */
final class JinjaChatTemplate implements ChatTemplate {
  private final String template;
  private final String source;
  private final Map<String, String> specials;
  private final Jinjava jinja;

  /**
   * @param template the Jinja source
   * @param source where it was read, named in errors
   * @param specials the special tokens' strings by their variable names, e.g. {@code bos_token}
   */
  JinjaChatTemplate(String template, String source, Map<String, String> specials) {
    this.template = Objects.requireNonNull(template, "template");
    this.source = source;
    this.specials = Map.copyOf(specials);
    this.jinja = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true).build());
    jinja.getGlobalContext().registerFunction(
        new ELFunctionDefinition("", "raise_exception", JinjaChatTemplate.class, "raiseException", String.class));
  }

  /** The template's {@code raise_exception}: refuses the conversation with the template's words. */
  public static String raiseException(String message) {
    throw new TemplateRefusal(message);
  }

  /** What {@code raise_exception} throws, so its message is told apart from the engine's own errors. */
  static final class TemplateRefusal extends RuntimeException {
    TemplateRefusal(String message) {
      super(message);
    }
  }

  @Override
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
    List<Map<String, Object>> turns = new ArrayList<>();
    for (ChatMessage message : messages) {
      Map<String, Object> turn = new LinkedHashMap<>();
      turn.put("role", message.role());
      turn.put("content", message.content());
      turns.add(turn);
    }
    Map<String, Object> bindings = new LinkedHashMap<>(specials);
    bindings.put("messages", turns);
    bindings.put("add_generation_prompt", addGenerationPrompt);
    RenderResult result = jinja.renderForResult(template, bindings);
    for (TemplateError error : result.getErrors()) {
      if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
        String refusal = refusal(error.getException());
        throw new IllegalArgumentException(refusal != null
            ? "The model's chat template refuses the conversation: " + refusal
            : source + ": the chat template cannot be rendered (line " + error.getLineno() + "): " + error.getMessage());
      }
    }
    return result.getOutput();
  }

  private static String refusal(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TemplateRefusal) {
        return t.getMessage();
      }
    }
    return null;
  }
}
