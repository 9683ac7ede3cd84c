package org.aia4j.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.aia4j.api.model.AnswerRequest;
import org.aia4j.api.model.ChatMessage;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.api.model.TextCompletion;
import org.aia4j.server.ServedModel;
import org.aia4j.server.ServerState;
import org.aia4j.server.batch.Answer;
import org.aia4j.server.batch.TokenSink;

/**
 * {@code POST /v1/chat/completions}: OpenAI's chat format, for questions about one image, and
 * for text conversations with a model that has a chat template (an imported decoder: {@code
 * tokenizer_config.json}'s {@code chat_template}). A request without an image goes to the
 * template: every turn is rendered as {@code transformers} renders it ({@code developer} read as
 * {@code system}) and its ids go to the batcher like a question (batched continuously with the
 * other requests when the model allows it). For a question about an image, the image is an {@code image_url} part ({@code data:image/png;base64,...} or jpeg) in a user
 * message; the question is the text of the last user message (parts joined by newlines); system
 * and assistant turns are accepted and not read. {@code n} choices are {@code n} answers seeded
 * {@code seed + i}. With {@code stream: true} the answer arrives token by token as OpenAI chunks,
 * then {@code data: [DONE]}.
 *
 * <p>Parsing, checks and image decoding run on the bounded decode pool; the answer comes from the
 * batcher; the event loop only writes replies. A request whose client has gone is cancelled: it
 * is not queued, leaves the queue, or stops being decoded.
 */
final class ChatCompletions {
  /** Answer tokens when the request names no {@code max_tokens}. */
  static final int DEFAULT_MAX_TOKENS = 64;
  /** Most choices per request. */
  static final int MAX_N = 8;
  /** Longest question, in characters, looked at before tokenizing. */
  static final int MAX_PROMPT_CHARS = 32_768;

  private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");

  private final Vertx vertx;
  private final ServerState state;
  private final WorkerExecutor decoders;

  ChatCompletions(Vertx vertx, ServerState state, WorkerExecutor decoders) {
    this.vertx = vertx;
    this.state = state;
    this.decoders = decoders;
  }

  /** A chat request, checked. */
  record Call(String model, String imageUrl, String imageParam, String prompt, int maxTokens, double temperature,
      int topK, long seed, int n, boolean stream, boolean includeUsage, List<ChatMessage> conversation) {}

  /**
   * A checked request ready to run: with its decoded image (a question about it, for the batcher),
   * or with the conversation's ids through the model's chat template (text chat).
   */
  private record Prepared(Call call, BufferedImage image, int promptTokens, int[] chatIds) {}

  void handle(RoutingContext ctx) {
    ServerState.Ready ready = state.require();
    ServedModel served = ready.model();
    Context context = vertx.getOrCreateContext();
    String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
    long created = System.currentTimeMillis() / 1000;
    // When the client goes, its answers are cancelled: dropped from the queue, or their rows
    // leave the batch being decoded.
    List<CompletableFuture<Answer>> pending = new ArrayList<>();
    boolean[] gone = new boolean[1];
    ctx.addEndHandler(done -> {
      if (done.failed()) {
        gone[0] = true;
        pending.forEach(future -> future.cancel(false));
      }
    });
    // Parsing, checks and image decoding run on the bounded decode pool: bodies may hold
    // megabytes of base64 and images cost CPU to decode.
    decoders.executeBlocking(() -> prepare(Replies.body(ctx), served), false)
        .compose(prepared -> {
          if (gone[0] || ctx.response().closed()) {
            return Future.failedFuture(new CancellationException("The client has gone"));
          }
          Stream stream = prepared.call().stream()
              ? new Stream(ctx, id, created, served.id(), prepared.call().n()) : null;
          return submit(ready, prepared, stream, context, pending)
              .onSuccess(answers -> {
                if (stream != null) {
                  stream.finish(answers, prepared.call().includeUsage());
                } else {
                  Replies.json(ctx, 200, completion(id, created, served.id(), answers));
                }
              });
        })
        .onFailure(failure -> Replies.error(ctx, failure));
  }

  private static Prepared prepare(JsonNode body, ServedModel served) {
    Call call = parse(body);
    Models.check(served, call.model(), "model");
    if (call.imageUrl() == null) {
      Optional<TextCompletion> text = served.model().textCompletion();
      Optional<int[]> ids;
      try {
        ids = text.isPresent() ? text.get().encodeChat(call.conversation()) : Optional.empty();
      } catch (IllegalArgumentException refused) {
        throw ApiException.invalid("messages", "invalid_value", refused.getMessage());
      }
      if (ids.isPresent()) {
        checkChatLength(ids.get().length, call.maxTokens(), text.get().contextLength());
        return new Prepared(call, null, ids.get().length, ids.get());
      }
      if (!served.model().handlesImages()) {
        throw ApiException.invalid("messages", "model_not_supported", "The model '" + served.id() + "' has no chat"
            + " template (tokenizer_config.json's chat_template) and reads no images: continue text with POST"
            + " /v1/completions");
      }
    }
    served.requireMultimodal("/v1/chat/completions");
    requireImageQuestion(call);
    if (call.prompt().length() > MAX_PROMPT_CHARS) {
      throw ApiException.invalid("messages", "context_length_exceeded", "The question is " + call.prompt().length()
          + " characters long; at most " + MAX_PROMPT_CHARS + " are read");
    }
    int promptTokens = served.answerPromptTokens(call.prompt());
    if (served.known()) {
      if (promptTokens > served.maxLength()) {
        throw ApiException.invalid("messages", "context_length_exceeded", "This model's maximum context length is "
            + served.maxLength() + " tokens; the image and question take " + promptTokens + " tokens");
      }
      if (call.maxTokens() > served.maxLength()) {
        throw ApiException.invalid("max_tokens", "invalid_value", "max_tokens is too large: " + call.maxTokens()
            + "; this model's maximum context length is " + served.maxLength() + " tokens");
      }
    }
    BufferedImage image = ImageInput.read(call.imageUrl(), call.imageParam(), served.imageSize());
    return new Prepared(call, image, promptTokens, null);
  }

  private static void checkChatLength(int promptTokens, int maxTokens, int context) {
    if (promptTokens + maxTokens > context) {
      throw ApiException.invalid(promptTokens >= context ? "messages" : "max_tokens", "context_length_exceeded",
          "This model's maximum context length is " + context + " tokens; the conversation takes " + promptTokens
              + " and max_tokens asks for " + maxTokens + " more");
    }
  }

  /**
   * Queues the {@code n} choices (choice {@code i} sampled with {@code seed + i}): questions about
   * an image, or a text conversation's ids through the model's chat template; each choice's text
   * streams to its chunks as it is decoded.
   */
  private Future<List<Answer>> submit(ServerState.Ready ready, Prepared prepared, Stream stream, Context context,
      List<CompletableFuture<Answer>> pending) {
    Call call = prepared.call();
    List<SamplingSettings> choices = new ArrayList<>();
    List<TokenSink> sinks = new ArrayList<>();
    for (int i = 0; i < call.n(); i++) {
      choices.add(new SamplingSettings(1.0, call.temperature(), call.topK(), call.seed() + i));
      int choice = i;
      sinks.add(stream == null ? TokenSink.none() : delta -> context.runOnContext(v -> stream.delta(choice, delta)));
    }
    List<CompletableFuture<Answer>> futures;
    try {
      if (prepared.chatIds() != null) {
        TextCompletion text = ready.model().model().textCompletion().orElseThrow();
        futures = ready.batcher().complete(prepared.chatIds(), call.maxTokens(), choices, text, sinks);
      } else {
        List<AnswerRequest> requests = choices.stream()
            .map(sampling -> new AnswerRequest(prepared.image(), call.prompt(), call.maxTokens(), sampling)).toList();
        futures = ready.batcher().answer(requests, prepared.promptTokens(), sinks);
      }
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
    pending.addAll(futures);
    CompletableFuture<List<Answer>> all = CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
        .thenApply(v -> futures.stream().map(CompletableFuture::join).toList());
    // Completed through the context's queue, behind the deltas the decoder posted there first: a
    // reply decoded before this line runs must not finish its stream ahead of its own tokens.
    Promise<List<Answer>> done = Promise.promise();
    all.whenComplete((answers, failure) -> context.runOnContext(v -> {
      if (failure != null) {
        done.fail(failure);
      } else {
        done.complete(answers);
      }
    }));
    return done.future();
  }

  private static ObjectNode completion(String id, long created, String model, List<Answer> answers) {
    ObjectNode root = Replies.JSON.createObjectNode();
    root.put("id", id);
    root.put("object", "chat.completion");
    root.put("created", created);
    root.put("model", model);
    ArrayNode choices = root.putArray("choices");
    for (int i = 0; i < answers.size(); i++) {
      ObjectNode choice = choices.addObject();
      choice.put("index", i);
      ObjectNode message = choice.putObject("message");
      message.put("role", "assistant");
      message.put("content", answers.get(i).text());
      message.putNull("refusal");
      choice.putNull("logprobs");
      choice.put("finish_reason", answers.get(i).finishReason());
    }
    root.set("usage", usage(answers));
    root.put("system_fingerprint", "aia4j");
    return root;
  }

  private static ObjectNode usage(List<Answer> answers) {
    int prompt = answers.isEmpty() ? 0 : answers.get(0).promptTokens();
    int completion = answers.stream().mapToInt(Answer::completionTokens).sum();
    ObjectNode usage = Replies.JSON.createObjectNode();
    usage.put("prompt_tokens", prompt);
    usage.put("completion_tokens", completion);
    usage.put("total_tokens", prompt + completion);
    return usage;
  }

  /**
   * One streamed reply: the head is written with the first text (so a request that fails before
   * any answer text still gets a plain JSON error and status), then one chunk per token.
   */
  private static final class Stream {
    private final RoutingContext ctx;
    private final String id;
    private final long created;
    private final String model;
    private final boolean[] started;

    Stream(RoutingContext ctx, String id, long created, String model, int n) {
      this.ctx = ctx;
      this.id = id;
      this.created = created;
      this.model = model;
      this.started = new boolean[n];
    }

    void delta(int choice, String text) {
      begin(choice);
      ObjectNode delta = Replies.JSON.createObjectNode();
      delta.put("content", text);
      write(chunk(choice, delta, null));
    }

    void finish(List<Answer> answers, boolean includeUsage) {
      for (int i = 0; i < answers.size(); i++) {
        begin(i);
        write(chunk(i, Replies.JSON.createObjectNode(), answers.get(i).finishReason()));
      }
      if (includeUsage) {
        ObjectNode last = header();
        last.putArray("choices");
        last.set("usage", usage(answers));
        write(last);
      }
      HttpServerResponse response = ctx.response();
      if (!response.ended() && !response.closed()) {
        response.end("data: [DONE]\n\n");
      }
    }

    private void begin(int choice) {
      HttpServerResponse response = ctx.response();
      if (!response.headWritten() && !response.closed()) {
        response.setStatusCode(200).setChunked(true)
            .putHeader("Content-Type", "text/event-stream")
            .putHeader("Cache-Control", "no-cache")
            .putHeader("Connection", "keep-alive");
      }
      if (!started[choice]) {
        started[choice] = true;
        ObjectNode delta = Replies.JSON.createObjectNode();
        delta.put("role", "assistant");
        delta.put("content", "");
        write(chunk(choice, delta, null));
      }
    }

    private ObjectNode header() {
      ObjectNode root = Replies.JSON.createObjectNode();
      root.put("id", id);
      root.put("object", "chat.completion.chunk");
      root.put("created", created);
      root.put("model", model);
      root.put("system_fingerprint", "aia4j");
      return root;
    }

    private ObjectNode chunk(int choice, ObjectNode delta, String finishReason) {
      ObjectNode root = header();
      ObjectNode c = root.putArray("choices").addObject();
      c.put("index", choice);
      c.set("delta", delta);
      c.putNull("logprobs");
      if (finishReason == null) {
        c.putNull("finish_reason");
      } else {
        c.put("finish_reason", finishReason);
      }
      return root;
    }

    private void write(ObjectNode chunk) {
      HttpServerResponse response = ctx.response();
      if (!response.ended() && !response.closed()) {
        response.write("data: " + chunk + "\n\n");
      }
    }
  }

  // ---------------------------------------------------------------- parsing

  static Call parse(JsonNode body) {
    Fields fields = Fields.of(body, "");
    String model = fields.requiredString("model");
    JsonNode messages = fields.required("messages");
    if (!messages.isArray()) {
      throw fields.wrongType("messages", "an array of messages", messages);
    }
    if (messages.isEmpty()) {
      throw ApiException.invalid("messages", "invalid_value", "'messages' must hold at least one message");
    }
    String imageUrl = null;
    String imageParam = null;
    int images = 0;
    String prompt = null;
    List<ChatMessage> conversation = new ArrayList<>();
    for (int m = 0; m < messages.size(); m++) {
      String path = "messages[" + m + "]";
      Fields message = Fields.of(messages.get(m), path);
      String role = message.requiredString("role");
      if (!ROLES.contains(role)) {
        throw ApiException.invalid(path + ".role", "invalid_value", "Invalid value for '" + path + ".role': '" + role
            + "'; supported roles are system, developer, user, assistant, tool");
      }
      JsonNode content = message.get("content");
      if (content == null) {
        if (role.equals("assistant")) {
          continue;
        }
        throw ApiException.invalid(path + ".content", "missing_required_parameter",
            "Missing required parameter: '" + path + ".content'");
      }
      List<String> texts = new ArrayList<>();
      if (content.isTextual()) {
        texts.add(content.asText());
      } else if (content.isArray()) {
        for (int p = 0; p < content.size(); p++) {
          String partPath = path + ".content[" + p + "]";
          Fields part = Fields.of(content.get(p), partPath);
          String type = part.requiredString("type");
          switch (type) {
            case "text" -> texts.add(part.requiredString("text"));
            case "image_url" -> {
              if (!role.equals("user")) {
                throw ApiException.invalid(partPath, "invalid_value", "Images are only read from user messages; '"
                    + partPath + "' is in a " + role + " message");
              }
              JsonNode imageNode = part.required("image_url");
              String url;
              if (imageNode.isTextual()) {
                url = imageNode.asText();
              } else {
                Fields image = Fields.of(imageNode, partPath + ".image_url");
                url = image.requiredString("url");
                String detail = image.string("detail", "auto");
                if (!Set.of("auto", "low", "high").contains(detail)) {
                  throw ApiException.invalid(partPath + ".image_url.detail", "invalid_value",
                      "'detail' must be auto, low or high, got '" + detail + "'");
                }
              }
              images++;
              imageUrl = url;
              imageParam = partPath + ".image_url.url";
            }
            default -> throw ApiException.invalid(partPath + ".type", "unsupported_content_type",
                "Unsupported content part type '" + type + "': this model reads 'text' and 'image_url' parts");
          }
        }
      } else {
        throw message.wrongType("content", "a string or an array of content parts", content);
      }
      if (role.equals("user")) {
        prompt = String.join("\n", texts).strip();
      }
      // OpenAI's "developer" is the newer name of "system", the role chat templates know.
      conversation.add(new ChatMessage(role.equals("developer") ? "system" : role, String.join("\n", texts)));
    }
    if (images > 1) {
      throw ApiException.invalid("messages", "too_many_images", "This model reads one image per request; got "
          + images);
    }
    String maxField = fields.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
    int maxTokens = (int) fields.integer(maxField, DEFAULT_MAX_TOKENS, 1, Integer.MAX_VALUE);
    double temperature = fields.number("temperature", 0.0, 0.0, 2.0);
    fields.number("top_p", 1.0, 0.0, 1.0);
    fields.number("presence_penalty", 0.0, -2.0, 2.0);
    fields.number("frequency_penalty", 0.0, -2.0, 2.0);
    int topK = (int) fields.integer("top_k", 0, 0, 1_000_000);
    long seed = fields.integer("seed", 0, Long.MIN_VALUE, Long.MAX_VALUE);
    int n = (int) fields.integer("n", 1, 1, MAX_N);
    boolean stream = fields.bool("stream", false);
    boolean includeUsage = false;
    JsonNode options = fields.get("stream_options");
    if (options != null) {
      includeUsage = Fields.of(options, "stream_options").bool("include_usage", false);
    }
    if (fields.bool("logprobs", false)) {
      throw ApiException.invalid("logprobs", "unsupported_parameter", "logprobs are not supported by this server");
    }
    fields.string("user", null);
    return new Call(model, imageUrl, imageParam, prompt, maxTokens, temperature, topK, seed, n, stream, includeUsage,
        List.copyOf(conversation));
  }

  /** Refuses a question about an image without its image, its question, or with several images. */
  private static void requireImageQuestion(Call call) {
    String prompt = call.prompt();
    if (prompt == null) {
      throw ApiException.invalid("messages", "invalid_value", "'messages' has no user message: ask a question about "
          + "an image in a user message");
    }
    if (call.imageUrl() == null) {
      throw ApiException.invalid("messages", "image_required", "This model answers questions about an image: add an "
          + "image_url part (data:image/png;base64,... or data:image/jpeg;base64,...) to a user message");
    }
    if (prompt.isEmpty()) {
      throw ApiException.invalid("messages", "invalid_value", "The last user message has no text: ask a question "
          + "about the image");
    }
  }
}
