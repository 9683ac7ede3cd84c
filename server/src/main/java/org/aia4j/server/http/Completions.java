package org.aia4j.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.api.model.TextCompletion;
import org.aia4j.server.ServedModel;
import org.aia4j.server.ServerState;

/**
 * {@code POST /v1/completions}, OpenAI's (legacy) completions API, for a model that continues text
 * ({@link org.aia4j.api.model.UnifiedModel#textCompletion()}): {@code prompt} is a string, a list
 * of strings, a list of ids or a list of id lists (ids fed verbatim; text through the model's
 * tokenizer, its specials included); {@code max_tokens} (16), {@code temperature} (1; 0 is
 * greedy), {@code top_k} (0, an aia4j extension), {@code seed} (0; prompt {@code i} samples with
 * {@code seed + i}). One batch per request, run off the event loop, one request at a time per
 * model. {@code n > 1}, {@code stream}, {@code echo}, {@code logprobs}, {@code suffix} and {@code
 * stop} strings are refused by name.
 */
final class Completions {
  /** The most prompts one request may hold. */
  static final int MAX_PROMPTS = 64;

  private final Vertx vertx;
  private final ServerState state;

  Completions(Vertx vertx, ServerState state) {
    this.vertx = vertx;
    this.state = state;
  }

  /** A completions request, checked. */
  record Call(String model, int[][] prompts, int maxTokens, SamplingSettings sampling) {}

  void handle(RoutingContext ctx) {
    ServedModel served = state.require().model();
    long created = System.currentTimeMillis() / 1000;
    vertx.executeBlocking(() -> {
      TextCompletion completion = served.model().textCompletion().orElseThrow(() -> ApiException.invalid("model",
          "model_not_supported", "The model '" + served.id() + "' does not continue raw text: it answers about images "
              + "(/v1/chat/completions) and draws them (/v1/images/generations)"));
      Call call = parse(Replies.body(ctx), served, completion);
      int[][] generated = completion.complete(call.prompts(), call.maxTokens(), call.sampling(), true);
      return response(call, served, completion, created, generated);
    }, true).onSuccess(body -> Replies.json(ctx, 200, body)).onFailure(failure -> Replies.error(ctx, failure));
  }

  static Call parse(JsonNode body, ServedModel served, TextCompletion completion) {
    Fields fields = Fields.of(body, "");
    String model = fields.string("model", served.id());
    Models.check(served, model, "model");
    for (String unsupported : List.of("suffix", "logprobs", "stop", "logit_bias", "best_of")) {
      if (fields.has(unsupported) && !fields.get(unsupported).isNull()) {
        throw ApiException.invalid(unsupported, "unsupported_parameter", "'" + unsupported
            + "' is not supported by this server");
      }
    }
    if (fields.bool("stream", false)) {
      throw ApiException.invalid("stream", "unsupported_value", "stream is not supported on /v1/completions yet: "
          + "the whole completion comes in one response");
    }
    if (fields.bool("echo", false)) {
      throw ApiException.invalid("echo", "unsupported_value", "echo is not supported: the response holds the "
          + "completion only");
    }
    if (fields.integer("n", 1, 1, 1) != 1) {
      throw ApiException.invalid("n", "unsupported_value", "n must be 1");
    }
    int[][] prompts = prompts(fields.required("prompt"), completion);
    int longest = 0;
    for (int[] prompt : prompts) {
      longest = Math.max(longest, prompt.length);
    }
    int room = completion.contextLength() - longest;
    if (room < 1) {
      throw ApiException.invalid("prompt", "context_length_exceeded", "This model's maximum context length is "
          + completion.contextLength() + " tokens; the prompt takes " + longest);
    }
    int maxTokens = (int) fields.integer("max_tokens", Math.min(16, room), 1, Integer.MAX_VALUE);
    if (maxTokens > room) {
      throw ApiException.invalid("max_tokens", "context_length_exceeded", "This model's maximum context length is "
          + completion.contextLength() + " tokens; the prompt takes " + longest + ", so max_tokens may be at most "
          + room + ", not " + maxTokens);
    }
    double temperature = fields.number("temperature", 1.0, 0.0, 2.0);
    int topK = (int) fields.integer("top_k", 0, 0, completion.vocabularySize());
    long seed = fields.integer("seed", 0, Long.MIN_VALUE / 2, Long.MAX_VALUE / 2);
    return new Call(model, prompts, maxTokens, new SamplingSettings(1.0, temperature, topK, seed));
  }

  /** A string, a list of strings, a list of ids, or a list of id lists. */
  private static int[][] prompts(JsonNode prompt, TextCompletion completion) {
    List<int[]> out = new ArrayList<>();
    if (prompt.isTextual()) {
      out.add(completion.encode(prompt.asText()));
    } else if (prompt.isArray() && !prompt.isEmpty() && prompt.get(0).isIntegralNumber()) {
      out.add(ids(prompt, "prompt", completion));
    } else if (prompt.isArray() && !prompt.isEmpty()) {
      for (int i = 0; i < prompt.size(); i++) {
        JsonNode item = prompt.get(i);
        if (item.isTextual()) {
          out.add(completion.encode(item.asText()));
        } else if (item.isArray()) {
          out.add(ids(item, "prompt[" + i + "]", completion));
        } else {
          throw ApiException.invalid("prompt", "invalid_type", "prompt[" + i + "] is " + Fields.describe(item)
              + "; expected a string or a list of token ids");
        }
      }
    } else {
      throw ApiException.invalid("prompt", "invalid_type", "prompt is " + Fields.describe(prompt)
          + "; expected a string, a list of strings, a list of token ids or a list of such lists");
    }
    if (out.size() > MAX_PROMPTS) {
      throw ApiException.invalid("prompt", "too_many_prompts", out.size() + " prompts; at most " + MAX_PROMPTS
          + " per request");
    }
    for (int i = 0; i < out.size(); i++) {
      if (out.get(i).length == 0) {
        throw ApiException.invalid("prompt", "empty_prompt", "prompt " + i + " has no tokens");
      }
    }
    return out.toArray(new int[0][]);
  }

  private static int[] ids(JsonNode array, String where, TextCompletion completion) {
    int[] ids = new int[array.size()];
    for (int i = 0; i < ids.length; i++) {
      JsonNode id = array.get(i);
      if (!id.isIntegralNumber() || !id.canConvertToInt() || id.asInt() < 0 || id.asInt() >= completion.vocabularySize()) {
        throw ApiException.invalid("prompt", "invalid_token", where + "[" + i + "] is " + Fields.describe(id)
            + "; token ids are integers in [0, " + completion.vocabularySize() + ")");
      }
      ids[i] = id.asInt();
    }
    return ids;
  }

  private static ObjectNode response(Call call, ServedModel served, TextCompletion completion, long created,
      int[][] generated) {
    ObjectNode root = Replies.JSON.createObjectNode();
    root.put("id", "cmpl-" + UUID.randomUUID().toString().replace("-", ""));
    root.put("object", "text_completion");
    root.put("created", created);
    root.put("model", served.id());
    ArrayNode choices = root.putArray("choices");
    long promptTokens = 0;
    long completionTokens = 0;
    for (int i = 0; i < generated.length; i++) {
      int[] ids = generated[i];
      int[] text = TextCompletion.withoutStop(ids, completion.stop());
      boolean stopped = text.length < ids.length;
      ObjectNode choice = choices.addObject();
      // The stop id ends the text; OpenAI's text does not show it.
      choice.put("text", completion.decode(text));
      choice.put("index", i);
      choice.putNull("logprobs");
      choice.put("finish_reason", stopped ? "stop" : "length");
      ArrayNode tokenIds = choice.putArray("token_ids");
      for (int id : ids) {
        tokenIds.add(id);
      }
      promptTokens += call.prompts()[i].length;
      completionTokens += ids.length;
    }
    ObjectNode usage = root.putObject("usage");
    usage.put("prompt_tokens", promptTokens);
    usage.put("completion_tokens", completionTokens);
    usage.put("total_tokens", promptTokens + completionTokens);
    return root;
  }
}
