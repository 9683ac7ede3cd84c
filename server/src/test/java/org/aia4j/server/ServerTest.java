package org.aia4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.aia4j.api.data.UnderstandingSample;
import org.aia4j.api.model.AnswerRequest;
import org.aia4j.api.model.GenerationRequest;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.evaluation.run.EvalSummary;
import org.aia4j.onnx.runtime.OnnxUnifiedModel;
import org.aia4j.server.batch.BatchSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The endpoints over real HTTP, on a real (tiny) model served on an ephemeral port. */
class ServerTest {
  @TempDir
  static Path work;

  static AiaServer server;
  static Http http;
  static OnnxUnifiedModel reference;
  static String model;

  @BeforeAll
  static void start() throws Exception {
    server = AiaServer.start(ServerConfig.local(0, new BatchSettings(8, 5, 64), work), TinyModel::load);
    model = server.ready().get(120, TimeUnit.SECONDS).id();
    http = new Http(server);
    reference = TinyModel.load();
  }

  @AfterAll
  static void stop() {
    server.close();
    reference.close();
  }

  static ObjectNode chat(BufferedImage image, String question, String format) {
    ObjectNode body = Http.JSON.createObjectNode();
    body.put("model", model);
    ObjectNode user = body.putArray("messages").addObject();
    user.put("role", "user");
    var content = user.putArray("content");
    content.addObject().put("type", "text").put("text", question);
    content.addObject().put("type", "image_url").putObject("image_url").put("url", Http.dataUrl(image, format));
    body.put("max_tokens", 8);
    return body;
  }

  @Test
  void healthPingAndModels() {
    assertThat(http.get("/health").status()).isEqualTo(200);
    assertThat(http.get("/health").json().get("model").asText()).isEqualTo(model);
    assertThat(http.get("/ping").status()).isEqualTo(200);
    JsonNode models = http.get("/v1/models").json();
    assertThat(models.get("object").asText()).isEqualTo("list");
    assertThat(models.at("/data/0/id").asText()).isEqualTo(model);
    assertThat(models.at("/data/0/aia4j/backend").asText()).isEqualTo("onnx");
    assertThat(http.get("/v1/models/" + model).status()).isEqualTo(200);
    assertThat(http.get("/v1/models/gpt-4o").status()).isEqualTo(404);
  }

  @Test
  void chatAnswersAsTheModelDoes() {
    UnderstandingSample sample = TinyModel.DATA.understanding(3);
    Http.Reply reply = http.post("/v1/chat/completions", chat(sample.image(), sample.prompt(), "png"));
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    JsonNode json = reply.json();
    assertThat(json.get("object").asText()).isEqualTo("chat.completion");
    assertThat(json.get("model").asText()).isEqualTo(model);
    String answer = json.at("/choices/0/message/content").asText();
    String expected = reference.answer(List.of(new AnswerRequest(sample.image(), sample.prompt(), 8,
        SamplingSettings.greedy()))).get(0);
    assertThat(answer).isEqualTo(expected);
    int promptTokens = json.at("/usage/prompt_tokens").asInt();
    assertThat(promptTokens).isEqualTo(reference.prompts().understandingPrefix(sample.image(), sample.prompt()).length);
    int completion = json.at("/usage/completion_tokens").asInt();
    assertThat(completion).isBetween(0, 8);
    assertThat(json.at("/usage/total_tokens").asInt()).isEqualTo(promptTokens + completion);
    assertThat(json.at("/choices/0/finish_reason").asText()).isEqualTo(completion == 8 ? "length" : "stop");
  }

  @Test
  void jpegImagesOfAnySizeAreRead() {
    UnderstandingSample sample = TinyModel.DATA.understanding(4);
    BufferedImage big = new BufferedImage(200, 120, BufferedImage.TYPE_INT_RGB);
    big.createGraphics().drawImage(sample.image(), 0, 0, 200, 120, null);
    Http.Reply reply = http.post("/v1/chat/completions", chat(big, sample.prompt(), "jpeg"));
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    assertThat(reply.json().at("/choices/0/message/content").isTextual()).isTrue();
  }

  @Test
  void streamingSendsChunksThatAddUpToTheAnswer() {
    UnderstandingSample sample = TinyModel.DATA.understanding(5);
    ObjectNode body = chat(sample.image(), sample.prompt(), "png");
    body.put("max_tokens", 12);
    String whole = http.post("/v1/chat/completions", body).json().at("/choices/0/message/content").asText();
    body.put("stream", true);
    body.putObject("stream_options").put("include_usage", true);
    Http.Reply reply = http.post("/v1/chat/completions", body);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header("Content-Type")).startsWith("text/event-stream");
    List<String> events = reply.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
    assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
    StringBuilder text = new StringBuilder();
    String finish = null;
    JsonNode usage = null;
    int contentChunks = 0;
    for (String event : events.subList(0, events.size() - 1)) {
      JsonNode chunk = Http.JSON.valueToTree(parse(event));
      assertThat(chunk.get("object").asText()).isEqualTo("chat.completion.chunk");
      if (chunk.has("usage")) {
        usage = chunk.get("usage");
        continue;
      }
      JsonNode delta = chunk.at("/choices/0/delta");
      if (delta.has("content") && !delta.get("content").asText().isEmpty()) {
        contentChunks++;
        text.append(delta.get("content").asText());
      }
      if (!chunk.at("/choices/0/finish_reason").isNull()) {
        finish = chunk.at("/choices/0/finish_reason").asText();
      }
    }
    assertThat(text.toString()).isEqualTo(whole);
    assertThat(finish).isIn("stop", "length");
    assertThat(usage).isNotNull();
    // Token by token: one content chunk per answer token.
    assertThat(contentChunks).isEqualTo(usage.get("completion_tokens").asInt());
  }

  private static JsonNode parse(String json) {
    try {
      return Http.JSON.readTree(json);
    } catch (Exception e) {
      throw new AssertionError("Not JSON: " + json, e);
    }
  }

  @Test
  void imagesAreReproducibleAndEchoTheirSettings() throws Exception {
    ObjectNode body = Http.JSON.createObjectNode();
    body.put("prompt", "a red circle");
    body.put("n", 2);
    body.put("seed", 7);
    body.put("guidance_scale", 3.0);
    body.put("temperature", 0.9);
    body.put("top_k", 5);
    Http.Reply first = http.post("/v1/images/generations", body);
    assertThat(first.status()).as(first.body()).isEqualTo(200);
    JsonNode json = first.json();
    assertThat(json.get("seed").asLong()).isEqualTo(7);
    assertThat(json.get("guidance_scale").asDouble()).isEqualTo(3.0);
    assertThat(json.get("temperature").asDouble()).isEqualTo(0.9);
    assertThat(json.get("top_k").asInt()).isEqualTo(5);
    assertThat(json.get("data")).hasSize(2);
    assertThat(json.at("/data/1/seed").asLong()).isEqualTo(8);
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(
        json.at("/data/0/b64_json").asText())));
    int side = reference.prompts().image().imageSize();
    assertThat(image.getWidth()).isEqualTo(side);
    // The same request draws the same images, and they are the model's own.
    assertThat(http.post("/v1/images/generations", body).json().get("data")).isEqualTo(json.get("data"));
    BufferedImage direct = reference.generate(List.of(new GenerationRequest("a red circle", 1,
        new SamplingSettings(3.0, 0.9, 5, 7)))).get(0).get(0);
    assertThat(pixels(image)).isEqualTo(pixels(direct));

    body.put("size", "256x256");
    JsonNode large = http.post("/v1/images/generations", body).json();
    BufferedImage enlarged = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(
        large.at("/data/0/b64_json").asText())));
    assertThat(enlarged.getWidth()).isEqualTo(256);
    assertThat(large.get("size").asText()).isEqualTo("256x256");
  }

  private static int[] pixels(BufferedImage image) {
    return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
  }

  @Test
  void badRequestsGetSpecificOpenAiErrors() {
    UnderstandingSample sample = TinyModel.DATA.understanding(1);
    String good = chat(sample.image(), sample.prompt(), "png").toString();
    record Case(String body, int status, String code) {}
    ObjectNode wrongModel = chat(sample.image(), sample.prompt(), "png");
    wrongModel.put("model", "gpt-4o");
    ObjectNode noImage = chat(sample.image(), sample.prompt(), "png");
    ((com.fasterxml.jackson.databind.node.ArrayNode) noImage.at("/messages/0/content")).remove(1);
    ObjectNode gif = chat(sample.image(), sample.prompt(), "gif");
    ObjectNode badBase64 = chat(sample.image(), sample.prompt(), "png");
    ((ObjectNode) badBase64.at("/messages/0/content/1/image_url")).put("url", "data:image/png;base64,@@@notbase64");
    ObjectNode notPng = chat(sample.image(), sample.prompt(), "png");
    ((ObjectNode) notPng.at("/messages/0/content/1/image_url")).put("url", "data:image/png;base64,"
        + Base64.getEncoder().encodeToString("hello, not an image".getBytes()));
    ObjectNode remote = chat(sample.image(), sample.prompt(), "png");
    ((ObjectNode) remote.at("/messages/0/content/1/image_url")).put("url", "https://example.com/cat.png");
    ObjectNode huge = chat(new BufferedImage(5000, 10, BufferedImage.TYPE_INT_RGB), "what?", "png");
    ObjectNode tooMany = chat(sample.image(), sample.prompt(), "png");
    tooMany.put("max_tokens", 100_000);
    ObjectNode longPrompt = chat(sample.image(), "word ".repeat(400), "png");
    ObjectNode wrongType = chat(sample.image(), sample.prompt(), "png");
    wrongType.put("temperature", "hot");
    ObjectNode twoImages = chat(sample.image(), sample.prompt(), "png");
    ((com.fasterxml.jackson.databind.node.ArrayNode) twoImages.at("/messages/0/content"))
        .add(twoImages.at("/messages/0/content/1").deepCopy());
    List<Case> cases = List.of(
        new Case("{not json", 400, "invalid_json"),
        new Case("", 400, "invalid_request"),
        new Case("[1,2]", 400, "invalid_type"),
        new Case(good + "{}", 400, "invalid_json"),
        new Case("{\"model\":\"" + model + "\",\"model\":\"x\",\"messages\":[]}", 400, "invalid_json"),
        new Case("{\"messages\":[]}", 400, "missing_required_parameter"),
        new Case("{\"model\":\"" + model + "\",\"messages\":\"hi\"}", 400, "invalid_type"),
        new Case(wrongModel.toString(), 404, "model_not_found"),
        new Case(noImage.toString(), 400, "image_required"),
        new Case(twoImages.toString(), 400, "too_many_images"),
        new Case(gif.toString(), 400, "unsupported_image_format"),
        new Case(badBase64.toString(), 400, "invalid_base64"),
        new Case(notPng.toString(), 400, "unsupported_image_format"),
        new Case(remote.toString(), 400, "unsupported_image_url"),
        new Case(huge.toString(), 400, "image_too_large"),
        new Case(tooMany.toString(), 400, "invalid_value"),
        new Case(longPrompt.toString(), 400, "context_length_exceeded"),
        new Case(wrongType.toString(), 400, "invalid_type"));
    for (Case c : cases) {
      Http.Reply reply = http.post("/v1/chat/completions", c.body());
      assertThat(reply.status()).as(c.body().length() > 200 ? c.code() : c.body()).isEqualTo(c.status());
      JsonNode error = reply.json().get("error");
      assertThat(error.get("code").asText()).as(reply.body()).isEqualTo(c.code());
      assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
      assertThat(error.get("message").asText()).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
    }
    ObjectNode rectangle = Http.JSON.createObjectNode().put("prompt", "a circle").put("size", "256x512");
    assertThat(http.post("/v1/images/generations", rectangle).json().at("/error/param").asText()).isEqualTo("size");
    ObjectNode url = Http.JSON.createObjectNode().put("prompt", "a circle").put("response_format", "url");
    assertThat(http.post("/v1/images/generations", url).status()).isEqualTo(400);
    ObjectNode many = Http.JSON.createObjectNode().put("prompt", "a circle").put("n", 11);
    assertThat(http.post("/v1/images/generations", many).json().at("/error/param").asText()).isEqualTo("n");
    assertThat(http.get("/v1/nothing").status()).isEqualTo(404);
    assertThat(http.get("/v1/chat/completions").status()).isEqualTo(405);
    assertThat(http.get("/v1/evaluations/eval-none").status()).isEqualTo(404);
  }

  @Test
  void bodiesOverTheLimitAre413() throws Exception {
    try (AiaServer small = AiaServer.start(ServerConfig.local(0, new BatchSettings(4, 0, 16), work)
        .withBodyLimit(4096), TinyModel::load)) {
      small.ready().get(60, TimeUnit.SECONDS);
      Http.Reply reply = new Http(small).post("/v1/chat/completions", "{\"pad\":\"" + "x".repeat(10_000) + "\"}");
      assertThat(reply.status()).isEqualTo(413);
      assertThat(reply.json().at("/error/code").asText()).isEqualTo("request_too_large");
    }
  }

  @Test
  void anApiKeyIsRequiredWhenSet() throws Exception {
    try (AiaServer keyed = AiaServer.start(ServerConfig.local(0, new BatchSettings(4, 0, 16), work)
        .withApiKey("sekret"), TinyModel::load)) {
      keyed.ready().get(60, TimeUnit.SECONDS);
      Http.Reply none = new Http(keyed).get("/v1/models");
      assertThat(none.status()).isEqualTo(401);
      assertThat(none.json().at("/error/code").asText()).isEqualTo("missing_api_key");
      Http.Reply wrong = new Http(keyed, "guess").get("/v1/models");
      assertThat(wrong.status()).isEqualTo(401);
      assertThat(wrong.json().at("/error/code").asText()).isEqualTo("invalid_api_key");
      assertThat(new Http(keyed, "sekret").get("/v1/models").status()).isEqualTo(200);
      assertThat(new Http(keyed).get("/health").status()).isEqualTo(200); // probes need no key
    }
  }

  @Test
  void healthIs503WhileTheModelLoads() throws Exception {
    CountDownLatch loaded = new CountDownLatch(1);
    try (AiaServer loading = AiaServer.start(ServerConfig.local(0, new BatchSettings(4, 0, 16), work), () -> {
      try {
        loaded.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return TinyModel.load();
    })) {
      Http client = new Http(loading);
      assertThat(client.get("/health").status()).isEqualTo(503);
      assertThat(client.get("/health").json().get("status").asText()).isEqualTo("loading");
      assertThat(client.get("/ping").status()).isEqualTo(200);
      Http.Reply early = client.post("/v1/images/generations", "{\"prompt\":\"a circle\"}");
      assertThat(early.status()).isEqualTo(503);
      assertThat(early.json().at("/error/code").asText()).isEqualTo("model_loading");
      loaded.countDown();
      loading.ready().get(60, TimeUnit.SECONDS);
      assertThat(client.get("/health").status()).isEqualTo(200);
    }
  }

  @Test
  void aFullQueueAnswers429WithRetryAfter() throws Exception {
    try (AiaServer busy = AiaServer.start(ServerConfig.local(0, new BatchSettings(64, 2_000, 2), work),
        TinyModel::load)) {
      busy.ready().get(60, TimeUnit.SECONDS);
      Http client = new Http(busy);
      // A guided image takes both rows of the queue, and waits there for its batch to fill.
      CompletableFuture<Http.Reply> first = CompletableFuture.supplyAsync(() -> client.post("/v1/images/generations",
          "{\"prompt\":\"a red circle\",\"seed\":1}"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (busy.state().current().batcher().queuedRows() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(2);
      }
      long sent = System.nanoTime();
      Http.Reply refused = client.post("/v1/chat/completions", ServerTestBodies.chat(busy.ready().get().id(),
          TinyModel.DATA.understanding(0).image(), TinyModel.DATA.understanding(0).prompt()));
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent)).isLessThan(1_000); // refused, not queued
      assertThat(refused.status()).isEqualTo(429);
      assertThat(refused.header("Retry-After")).isEqualTo("1");
      assertThat(refused.json().at("/error/code").asText()).isEqualTo("queue_full");
      assertThat(refused.json().at("/error/message").asText()).contains("2 of 2");
      assertThat(first.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
      assertThat(client.get("/metrics").body()).contains("aia_rejected_total{application=\"aia4j\"} 1.0");
    }
  }

  @Test
  void metricsArePrometheusText() {
    http.post("/v1/images/generations", "{\"prompt\":\"a blue square\",\"seed\":1}");
    Http.Reply reply = http.get("/metrics");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).contains("aia_http_requests_total{", "endpoint=\"/v1/images/generations\"",
        "aia_http_request_seconds", "aia_queue_rows", "aia_batch_rows", "aia_tokens_total{",
        "aia_tokens_per_second{");
  }

  @Test
  void evaluationJobsRunAndStreamProgress() throws Exception {
    Http.Reply bad = http.post("/v1/evaluations", "{\"benchmarks\":[\"nope\"]}");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().at("/error/message").asText()).contains("geneval", "mmbench");

    Http.Reply created = http.post("/v1/evaluations",
        "{\"benchmarks\":[\"mmbench\",\"geneval\"],\"limit\":3,\"samples\":1,\"seed\":3,\"batch\":2}");
    assertThat(created.status()).as(created.body()).isEqualTo(202);
    String id = created.json().get("id").asText();
    assertThat(created.header("Location")).isEqualTo("/v1/evaluations/" + id);
    // Live traffic goes on while the job runs.
    CompletableFuture<Http.Reply> live = CompletableFuture.supplyAsync(() -> http.post("/v1/images/generations",
        "{\"prompt\":\"a green triangle\",\"seed\":2}"));
    Http.Reply events = http.get("/v1/evaluations/" + id + "/events");
    assertThat(events.status()).isEqualTo(200);
    List<String> lines = events.body().lines().toList();
    assertThat(lines).contains("event: progress", "event: done");
    List<String> kinds = lines.stream().filter(l -> l.startsWith("event: ")).toList();
    assertThat(kinds.get(kinds.size() - 1)).isEqualTo("event: done");
    assertThat(kinds.subList(0, kinds.size() - 1)).containsOnly("event: progress");
    JsonNode job = http.get("/v1/evaluations/" + id).json();
    assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("succeeded");
    assertThat(job.at("/results/mmbench/overall").isNumber()).isTrue();
    assertThat(job.at("/results/geneval/overall").isNumber()).isTrue();
    assertThat(job.at("/settings/seed").asLong()).isEqualTo(3);
    // The job's summary.json is the record the API shows.
    EvalSummary summary = EvalSummary.read(Path.of(job.get("summary_file").asText()));
    assertThat(job.get("summary")).isEqualTo(summary.toJson());
    assertThat(summary.suites().keySet()).containsExactly("mmbench", "geneval");
    assertThat(summary.suite("mmbench").orElseThrow().overall())
        .isEqualTo(job.at("/results/mmbench/overall").asDouble());
    assertThat(summary.settings().seed()).isEqualTo(3);
    assertThat(summary.settings().batch()).isEqualTo(2);
    assertThat(http.get("/v1/evaluations").json().get("data").findValuesAsText("id")).contains(id);
    assertThat(live.get(60, TimeUnit.SECONDS).status()).isEqualTo(200);
  }

  @Test
  void shutdownFinishesInFlightRequests() throws Exception {
    AiaServer closing = AiaServer.start(ServerConfig.local(0, new BatchSettings(4, 300, 64), work), TinyModel::load);
    closing.ready().get(60, TimeUnit.SECONDS);
    Http client = new Http(closing);
    List<CompletableFuture<Http.Reply>> inFlight = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int seed = i;
      inFlight.add(CompletableFuture.supplyAsync(() -> client.post("/v1/images/generations",
          "{\"prompt\":\"a red square\",\"n\":2,\"seed\":" + seed + "}")));
    }
    // The requests wait in the queue (a 300 ms batch delay) when shutdown begins.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (closing.state().current().batcher().queuedRequests() < 3 && System.nanoTime() < deadline) {
      Thread.sleep(2);
    }
    closing.close();
    for (CompletableFuture<Http.Reply> reply : inFlight) {
      Http.Reply r = reply.get(30, TimeUnit.SECONDS);
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.json().get("data")).hasSize(2);
    }
    assertThat(catching(() -> client.get("/health"))).isNotNull(); // no longer listening
  }

  private static Throwable catching(Runnable action) {
    try {
      action.run();
      return null;
    } catch (RuntimeException e) {
      return e;
    }
  }
}
