package org.aia4j.tokenizers.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.aia4j.api.model.ChatMessage;
import org.aia4j.api.tokenizer.ChatTemplate;
import org.aia4j.testkit.PythonFixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chat templates rendered by HubSpot's Jinja engine against jinja2 configured as {@code
 * transformers}' {@code apply_chat_template} configures it ({@code hf/render_chat_template.py}, on
 * Debian's {@code python3-jinja2}): the tiny fixture's template and the published LLaMA-2, LLaMA-3
 * and ChatML templates, over conversations with and without a system turn and the generation cue;
 * the text must be identical, and a conversation jinja2 refuses is refused with the same words.
 */
class ChatTemplateTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** meta-llama/Llama-2-7b-chat-hf's template: alternation checked, the system prompt folded into the first turn. */
  static final String LLAMA2 = "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}"
      + "{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}"
      + "{% set system_message = false %}{% endif %}{% for message in loop_messages %}"
      + "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
      + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
      + "{% if loop.index0 == 0 and system_message != false %}"
      + "{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}"
      + "{% else %}{% set content = message['content'] %}{% endif %}"
      + "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}"
      + "{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";

  /** meta-llama/Meta-Llama-3-8B-Instruct's template. */
  static final String LLAMA3 = "{% set loop_messages = messages %}{% for message in loop_messages %}"
      + "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim"
      + " + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}"
      + "{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

  /** ChatML, as Qwen and many others write it, with newlines between blocks that trim_blocks must eat. */
  static final String CHATML = "{% for message in messages %}\n"
      + "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}\n"
      + "{% endfor %}\n"
      + "{% if add_generation_prompt %}\n  {{ '<|im_start|>assistant\\n' }}\n{% endif %}";

  private static final List<List<ChatMessage>> CONVERSATIONS = List.of(
      List.of(new ChatMessage("user", "how many red circle")),
      List.of(new ChatMessage("system", "  you count  "), new ChatMessage("user", " what colour "),
          new ChatMessage("assistant", "red "), new ChatMessage("user", "and shape")),
      List.of(new ChatMessage("user", "one"), new ChatMessage("user", "two")),
      List.of(new ChatMessage("tool", "yes")));

  private static Path model;

  @TempDir Path tmp;

  @BeforeAll
  static void fixture() throws Exception {
    PythonFixtures.requireModule("jinja2", "python3-jinja2");
    model = PythonFixtures.tinyLlama();
  }

  @Test
  void theFixturesTemplateRendersAsJinja2DoesAndTokenizesWithBosOnce() throws Exception {
    HuggingFaceTextTokenizer tokenizer = HuggingFaceTextTokenizer.load(model);
    ChatTemplate template = tokenizer.chatTemplate().orElseThrow();
    String source = JSON.readTree(model.resolve("tokenizer_config.json").toFile()).path("chat_template").asText();
    compare(template, source, Map.of("bos_token", "<s>", "eos_token", "</s>", "unk_token", "<unk>", "pad_token", ""));

    String text = template.render(List.of(new ChatMessage("user", "how many red circle")), true);
    assertThat(text).isEqualTo("<s>me how many red circle show");
    assertThat(tokenizer.encode(text)).containsExactly(1, tokenizer.id("me"), tokenizer.id("how"),
        tokenizer.id("many"), tokenizer.id("red"), tokenizer.id("circle"), tokenizer.id("show"));
  }

  @Test
  void publishedTemplatesRenderAsJinja2Does() throws Exception {
    Map<String, String> specials = Map.of("bos_token", "<s>", "eos_token", "</s>", "unk_token", "<unk>",
        "pad_token", "");
    for (String source : List.of(LLAMA2, LLAMA3, CHATML)) {
      compare(template(source), source, specials);
    }
  }

  @Test
  void aListOfNamedTemplatesTakesTheDefaultAndAFileBesideTheConfigWins() throws Exception {
    Path dir = copyOfTokenizer();
    ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("tokenizer_config.json").toFile());
    ArrayNode named = config.putArray("chat_template");
    named.addObject().put("name", "tool_use").put("template", "tools");
    named.addObject().put("name", "default").put("template", "{{ messages[0]['content'] }}!");
    JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
    List<ChatMessage> hello = List.of(new ChatMessage("user", "red"));
    assertThat(HuggingFaceTextTokenizer.load(dir).chatTemplate().orElseThrow().render(hello, true)).isEqualTo("red!");

    Files.writeString(dir.resolve("chat_template.jinja"), "{{ bos_token }}{{ messages[0]['content'] }}?",
        StandardCharsets.UTF_8);
    HuggingFaceTextTokenizer fromFile = HuggingFaceTextTokenizer.load(dir);
    assertThat(fromFile.chatTemplate().orElseThrow().render(hello, true)).isEqualTo("<s>red?");
    Path saved = tmp.resolve("saved");
    fromFile.save(saved);
    assertThat(saved.resolve("chat_template.jinja")).hasSameTextualContentAs(dir.resolve("chat_template.jinja"));

    config.remove("chat_template");
    JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
    Files.delete(dir.resolve("chat_template.jinja"));
    assertThat(HuggingFaceTextTokenizer.load(dir).chatTemplate()).isEmpty();

    config.putArray("chat_template").addObject().put("name", "tool_use").put("template", "tools");
    JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
    assertThatThrownBy(() -> HuggingFaceTextTokenizer.load(dir))
        .hasMessageContaining("tokenizer_config.json (chat_template)").hasMessageContaining("'default'");
  }

  private Path copyOfTokenizer() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("tokenizer"));
    for (String name : List.of("tokenizer.json", "tokenizer_config.json")) {
      Files.copy(model.resolve(name), dir.resolve(name));
    }
    return dir;
  }

  private static ChatTemplate template(String source) {
    return new JinjaChatTemplate(source, "test", Map.of("bos_token", "<s>", "eos_token", "</s>", "unk_token", "<unk>",
        "pad_token", ""));
  }

  /** Renders every conversation, with and without the generation cue, on both engines. */
  private void compare(ChatTemplate template, String source, Map<String, String> specials) throws Exception {
    ObjectNode request = JSON.createObjectNode();
    request.put("template", source);
    request.set("specials", JSON.valueToTree(specials));
    ArrayNode cases = request.putArray("cases");
    for (List<ChatMessage> conversation : CONVERSATIONS) {
      for (boolean cue : new boolean[] {false, true}) {
        ObjectNode c = cases.addObject();
        c.set("messages", JSON.valueToTree(conversation));
        c.put("add_generation_prompt", cue);
      }
    }
    Path requestFile = Files.createTempFile(tmp, "request", ".json");
    Path out = Files.createTempFile(tmp, "rendered", ".json");
    JSON.writeValue(requestFile.toFile(), request);
    PythonFixtures.run("hf/render_chat_template.py", List.of(requestFile.toString(), out.toString()));
    JsonNode expected = JSON.readTree(out.toFile());
    int i = 0;
    int refused = 0;
    for (List<ChatMessage> conversation : CONVERSATIONS) {
      for (boolean cue : new boolean[] {false, true}) {
        JsonNode reference = expected.get(i++);
        String label = source.substring(0, Math.min(30, source.length())) + " / " + conversation + " / " + cue;
        if (reference.has("error")) {
          refused++;
          assertThatThrownBy(() -> template.render(conversation, cue)).as(label)
              .isInstanceOf(IllegalArgumentException.class)
              .hasMessageContaining(reference.get("error").asText());
        } else {
          assertThat(template.render(conversation, cue)).as(label).isEqualTo(reference.get("text").asText());
        }
      }
    }
    assertThat(i).isEqualTo(expected.size());
    assertThat(refused).as("some conversations render").isLessThan(i);
  }
}
