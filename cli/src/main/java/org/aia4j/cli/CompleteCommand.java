package org.aia4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import org.aia4j.api.model.ChatMessage;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.api.model.TextCompletion;
import org.aia4j.inference.checkpoint.TextModel;
import org.aia4j.inference.decode.TextEngine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aia complete}: a text continuation of a prompt, or a chat reply, greedy by default. */
@Command(name = "complete", mixinStandardHelpOptions = true,
    description = "Continue a prompt with a checkpoint, an imported model or a Hugging Face model directory "
        + "(greedy by default, with the KV cache).")
final class CompleteCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec
  CommandSpec spec;

  @Option(names = "--checkpoint", required = true,
      description = "A checkpoint (aia train --out, aia import --out) or a Hugging Face model directory.")
  Path checkpoint;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Prompt prompt;

  static final class Prompt {
    @Option(names = "--prompt", description = "Text, tokenized as the model's tokenizer says (its specials included).")
    String text;

    @Option(names = "--ids", split = ",", description = "Ids fed verbatim, nothing prepended, e.g. 1,5,9.")
    int[] ids;

    @Option(names = "--chat", description = "A user message, written through the model's chat template"
        + " (tokenizer_config.json's chat_template) with the cue for the assistant's reply.")
    String chat;
  }

  @Option(names = "--system", description = "With --chat: a system message before it.")
  String system;

  @Option(names = "--max-tokens", defaultValue = "32", description = "The most ids to generate (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(names = "--temperature", defaultValue = "0", description = "0 for greedy, else the sampling temperature "
      + "(default: ${DEFAULT-VALUE}).")
  double temperature;

  @Option(names = "--seed", defaultValue = "0", description = "The sampler's seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--json", description = "Print one line {\"ids\": [...], \"text\": \"...\"}: the generated ids only.")
  boolean json;

  @Mixin
  BackendOptions engine = new BackendOptions("djl");

  private int[] chatIds(TextModel model) {
    List<ChatMessage> conversation = new ArrayList<>();
    if (system != null) {
      conversation.add(new ChatMessage("system", system));
    }
    conversation.add(new ChatMessage("user", prompt.chat));
    return model.text().chat(conversation).orElseThrow(() -> new IllegalArgumentException(checkpoint + " ("
        + model.source() + ") has no chat template (tokenizer_config.json's chat_template, or chat_template.jinja);"
        + " continue text with --prompt"));
  }

  @Override
  public Integer call() throws Exception {
    TextModel model = TextModel.open(checkpoint);
    if (system != null && prompt.chat == null) {
      throw new IllegalArgumentException("--system goes with --chat: a system message opens a conversation");
    }
    int[] ids = prompt.ids != null ? prompt.ids : prompt.chat != null ? chatIds(model) : model.text().prompt(prompt.text);
    SamplingSettings sampling = new SamplingSettings(1.0, temperature, 0, seed);
    int[] generated;
    // A text prompt stops at the tokenizer's end-of-text; raw ids run to --max-tokens unless it is met.
    OptionalInt stop = model.text().stop();
    try (TextEngine decoder = TextEngines.open(model, engine.backend())) {
      generated = decoder.complete(ids, maxTokens, sampling, stop);
    }
    // A reply's end of turn is not its text; a continuation's stop id is decoded as before.
    String text = model.text().decode(prompt.chat != null ? TextCompletion.withoutStop(generated, stop) : generated);
    PrintWriter console = spec.commandLine().getOut();
    if (json) {
      ObjectNode line = JSON.createObjectNode();
      Arrays.stream(generated).forEach(line.putArray("ids")::add);
      line.put("text", text);
      console.println(JSON.writeValueAsString(line));
    } else {
      console.println(text);
    }
    console.flush();
    return 0;
  }
}
