package org.aia4j.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.aia4j.api.model.GenerationRequest;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.evaluation.io.Images;
import org.aia4j.server.ServedModel;
import org.aia4j.server.ServerState;

/**
 * {@code POST /v1/images/generations}: OpenAI's format ({@code prompt}, {@code n}, {@code size},
 * {@code response_format: b64_json}) plus the sampling settings that make an image reproducible,
 * {@code seed} (image {@code i} is drawn with {@code seed + i}), {@code guidance_scale} (the CFG
 * weight), {@code temperature} and {@code top_k}, all echoed in the response. A request without a
 * seed gets a random one, echoed too. Images are drawn at the model's size and enlarged (pixels
 * repeated) to {@code size} when asked.
 */
final class ImageGenerations {
  /** Most images per request, as OpenAI's API. */
  static final int MAX_N = 10;
  /** Largest side an image is enlarged to. */
  static final int MAX_SIZE = 1024;

  private final Vertx vertx;
  private final ServerState state;

  ImageGenerations(Vertx vertx, ServerState state) {
    this.vertx = vertx;
    this.state = state;
  }

  /** An image request, checked. */
  record Call(String model, String prompt, int n, int size, long seed, double guidance, double temperature, int topK) {}

  void handle(RoutingContext ctx) {
    ServerState.Ready ready = state.require();
    ServedModel served = ready.model();
    served.requireMultimodal("/v1/images/generations");
    Context context = vertx.getOrCreateContext();
    long created = System.currentTimeMillis() / 1000;
    // A request whose client has gone leaves the queue and is never drawn.
    List<CompletableFuture<?>> pending = new ArrayList<>();
    boolean[] gone = new boolean[1];
    ctx.addEndHandler(done -> {
      if (done.failed()) {
        gone[0] = true;
        pending.forEach(future -> future.cancel(false));
      }
    });
    vertx.executeBlocking(() -> prepare(Replies.body(ctx), served), false)
        .compose(call -> {
          if (gone[0] || ctx.response().closed()) {
            return Future.failedFuture(new CancellationException("The client has gone"));
          }
          SamplingSettings sampling = new SamplingSettings(call.guidance(), call.temperature(), call.topK(),
              call.seed());
          GenerationRequest request = new GenerationRequest(call.prompt(), call.n(), sampling);
          Future<List<BufferedImage>> images;
          try {
            CompletableFuture<List<BufferedImage>> drawing = ready.batcher().generate(request);
            pending.add(drawing);
            images = Future.fromCompletionStage(drawing, context);
          } catch (Exception e) {
            images = Future.failedFuture(e);
          }
          return images.compose(drawn -> vertx.executeBlocking(() -> response(call, served, created, drawn), false));
        })
        .onSuccess(body -> Replies.json(ctx, 200, body))
        .onFailure(failure -> Replies.error(ctx, failure));
  }

  private static Call prepare(JsonNode body, ServedModel served) {
    Call call = parse(body, served);
    if (call.prompt().length() > ChatCompletions.MAX_PROMPT_CHARS) {
      throw ApiException.invalid("prompt", "context_length_exceeded", "The prompt is " + call.prompt().length()
          + " characters long; at most " + ChatCompletions.MAX_PROMPT_CHARS + " are read");
    }
    if (served.known()) {
      int tokens = served.generationPromptTokens(call.prompt()) + served.tokensPerImage() - 1;
      if (tokens > served.maxLength()) {
        throw ApiException.invalid("prompt", "context_length_exceeded", "This model's maximum context length is "
            + served.maxLength() + " tokens; the prompt and one image take " + tokens + " tokens");
      }
    }
    return call;
  }

  private static ObjectNode response(Call call, ServedModel served, long created, List<BufferedImage> drawn) {
    ObjectNode root = Replies.JSON.createObjectNode();
    root.put("created", created);
    ArrayNode data = root.putArray("data");
    for (int i = 0; i < drawn.size(); i++) {
      BufferedImage image = call.size() > 0 ? ImageInput.upscale(drawn.get(i), call.size()) : drawn.get(i);
      ObjectNode item = data.addObject();
      item.put("b64_json", Base64.getEncoder().encodeToString(Images.toPng(image)));
      item.put("revised_prompt", call.prompt());
      item.put("seed", call.seed() + i);
    }
    root.put("model", served.id());
    root.put("output_format", "png");
    int side = call.size() > 0 ? call.size() : drawn.isEmpty() ? served.imageSize() : drawn.get(0).getWidth();
    root.put("size", side + "x" + side);
    root.put("seed", call.seed());
    root.put("guidance_scale", call.guidance());
    root.put("temperature", call.temperature());
    root.put("top_k", call.topK());
    root.put("native_size", drawn.isEmpty() ? served.imageSize() : drawn.get(0).getWidth());
    return root;
  }

  static Call parse(JsonNode body, ServedModel served) {
    Fields fields = Fields.of(body, "");
    String prompt = fields.requiredString("prompt");
    String model = fields.string("model", served.id());
    Models.check(served, model, "model");
    int n = (int) fields.integer("n", 1, 1, MAX_N);
    String format = fields.string("response_format", "b64_json");
    if (!format.equals("b64_json")) {
      throw ApiException.invalid("response_format", "unsupported_value", "response_format '" + format
          + "' is not supported: this server returns images inline as b64_json");
    }
    String output = fields.string("output_format", "png");
    if (!output.equals("png")) {
      throw ApiException.invalid("output_format", "unsupported_value", "output_format '" + output
          + "' is not supported: images are PNG");
    }
    int size = size(fields.string("size", "auto"), served.imageSize());
    long seed = fields.has("seed") ? fields.integer("seed", 0, 0, Integer.MAX_VALUE)
        : ThreadLocalRandom.current().nextInt(Integer.MAX_VALUE);
    double guidance = fields.number("guidance_scale", 2.0, 0.0, 50.0);
    double temperature = fields.number("temperature", 1.0, 0.0, 10.0);
    int topK = (int) fields.integer("top_k", 0, 0, 1_000_000);
    for (String ignored : Set.of("quality", "style", "background", "moderation", "user")) {
      fields.string(ignored, null); // accepted for compatibility; type-checked, not used
    }
    return new Call(model, prompt, n, size, seed, guidance, temperature, topK);
  }

  /** @return the side to enlarge to, or 0 for the model's own size */
  static int size(String size, int nativeSize) {
    if (size.equals("auto")) {
      return 0;
    }
    String[] parts = size.split("x", -1);
    int w;
    int h;
    try {
      if (parts.length != 2) {
        throw new NumberFormatException();
      }
      w = Integer.parseInt(parts[0]);
      h = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw ApiException.invalid("size", "invalid_value", "'size' must be 'auto' or WIDTHxHEIGHT like 256x256, got '"
          + size + "'");
    }
    int min = Math.max(1, nativeSize);
    if (w != h || w < min || w > MAX_SIZE) {
      throw ApiException.invalid("size", "invalid_value", "'size' must be square, from " + min + "x" + min + " to "
          + MAX_SIZE + "x" + MAX_SIZE + ", got '" + size + "'");
    }
    return w == nativeSize ? 0 : w;
  }
}
