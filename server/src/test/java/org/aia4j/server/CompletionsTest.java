package org.aia4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.aia4j.api.benchmark.ProgressListener;
import org.aia4j.inference.hf.HfImport;
import org.aia4j.onnx.runtime.OnnxModelProvider;
import org.aia4j.server.batch.BatchSettings;
import org.aia4j.testkit.PythonFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/completions} on a real socket, serving the tiny Hugging Face LLaMA imported and
 * run on ONNX Runtime: greedy continuations equal the float64 reference of {@code
 * llama_reference.py}, text prompts go through its {@code tokenizer.json}, text chat goes through
 * its chat template, and bad requests get OpenAI-shaped 400s that name the field.
 */
class CompletionsTest {
  private static final int[] SEQUENCE = {1, 5, 9, 3, 7, 11, 13, 2, 40, 41};

  @TempDir
  static Path work;

  static AiaServer server;
  static Http http;
  static JsonNode reference;
  static JsonNode vocab;

  @BeforeAll
  static void start() throws Exception {
    PythonFixtures.requireModule("torch", "python3-torch");
    Path hf = PythonFixtures.tinyLlama();
    Path imported = work.resolve("imported");
    HfImport.run(hf, imported, ProgressListener.none());
    reference = Http.JSON.readTree(PythonFixtures.llamaReference(hf, new int[][] {SEQUENCE}, 6).toFile());
    vocab = Http.JSON.readTree(hf.resolve("tokenizer.json").toFile()).path("model").path("vocab");
    server = AiaServer.start(ServerConfig.local(0, new BatchSettings(4, 0, 16), Files.createDirectories(
        work.resolve("server"))), () -> new OnnxModelProvider().load(imported, Map.of()));
    server.ready().get(120, TimeUnit.SECONDS);
    http = new Http(server);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static ObjectNode body() {
    return Http.JSON.createObjectNode().put("model", "imported").put("temperature", 0).put("max_tokens", 6);
  }

  private static List<Integer> ints(JsonNode array) {
    List<Integer> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asInt()));
    return out;
  }

  @Test
  void greedyIdsEqualTheReferenceAndTheReplyIsOpenAiShaped() {
    ObjectNode body = body();
    ArrayNodeOf.ids(body.putArray("prompt"), SEQUENCE);
    Http.Reply reply = http.post("/v1/completions", body);

    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    JsonNode json = reply.json();
    List<Integer> expected = ints(reference.get("greedy").get(0));
    int stop = expected.indexOf(2);
    List<Integer> untilStop = stop < 0 ? expected : expected.subList(0, stop + 1);
    JsonNode choice = json.at("/choices/0");
    assertThat(ints(choice.get("token_ids"))).isEqualTo(untilStop);
    assertThat(choice.get("finish_reason").asText()).isEqualTo(stop < 0 ? "length" : "stop");
    assertThat(json.get("object").asText()).isEqualTo("text_completion");
    assertThat(json.get("model").asText()).isEqualTo("imported");
    assertThat(json.at("/usage/prompt_tokens").asInt()).isEqualTo(SEQUENCE.length);
    assertThat(json.at("/usage/completion_tokens").asInt()).isEqualTo(untilStop.size());
  }

  @Test
  void textPromptsGoThroughTheTokenizerAndBatchesAnswerEachAsAlone() {
    ObjectNode byText = body().put("prompt", "how many red");
    ObjectNode byIds = body();
    ArrayNodeOf.ids(byIds.putArray("prompt"), new int[] {1, vocab.get("how").asInt(), vocab.get("many").asInt(),
        vocab.get("red").asInt()});
    JsonNode text = http.post("/v1/completions", byText).json();
    JsonNode ids = http.post("/v1/completions", byIds).json();
    assertThat(text.at("/choices/0/token_ids")).isEqualTo(ids.at("/choices/0/token_ids"));
    assertThat(text.at("/usage/prompt_tokens").asInt()).isEqualTo(4);

    ObjectNode batch = body();
    batch.putArray("prompt").add("how many red").add(Http.JSON.valueToTree(SEQUENCE));
    JsonNode both = http.post("/v1/completions", batch).json();
    assertThat(both.get("choices")).hasSize(2);
    assertThat(both.at("/choices/0/token_ids")).isEqualTo(ids.at("/choices/0/token_ids"));
    ObjectNode alone = body();
    ArrayNodeOf.ids(alone.putArray("prompt"), SEQUENCE);
    assertThat(both.at("/choices/1/token_ids")).isEqualTo(http.post("/v1/completions", alone).json().at("/choices/0/token_ids"));
  }

  @Test
  void badRequestsAre400sThatNameTheField() {
    ObjectNode outside = body();
    outside.putArray("prompt").add(1).add(64);
    assertError(http.post("/v1/completions", outside), "prompt", "invalid_token");

    ObjectNode tooLong = body().put("prompt", "how many").put("max_tokens", 500);
    assertError(http.post("/v1/completions", tooLong), "max_tokens", "context_length_exceeded");

    assertError(http.post("/v1/completions", body().put("prompt", "x").put("stream", true)), "stream", "unsupported_value");
    assertError(http.post("/v1/completions", body().put("prompt", "x").put("stop", "\n")), "stop", "unsupported_parameter");
    assertError(http.post("/v1/completions", body()), "prompt", null);
    Http.Reply unknown = http.post("/v1/completions", body().put("prompt", "x").put("model", "gpt-4"));
    assertThat(unknown.status()).isEqualTo(404); // as OpenAI answers an unknown model
    assertThat(unknown.json().at("/error/code").asText()).isEqualTo("model_not_found");

    // The text-only model cannot answer about images: a 400 that says why, not a server error.
    ObjectNode chat = Http.JSON.createObjectNode().put("model", "imported");
    ArrayNode parts = chat.putArray("messages").addObject().put("role", "user").putArray("content");
    parts.addObject().put("type", "text").put("text", "what is this");
    parts.addObject().put("type", "image_url").putObject("image_url").put("url", "data:image/png;base64,AAAA");
    Http.Reply refused = http.post("/v1/chat/completions", chat);
    assertThat(refused.status()).as(refused.body()).isEqualTo(400);
    assertThat(refused.body()).contains("image-token layout").contains("/v1/completions");
    Http.Reply noImages = http.post("/v1/images/generations", Http.JSON.createObjectNode().put("prompt", "a red circle"));
    assertThat(noImages.status()).as(noImages.body()).isEqualTo(400);
    assertThat(noImages.json().at("/error/code").asText()).isEqualTo("model_not_supported");
  }

  @Test
  void textChatGoesThroughTheChatTemplateAndAnswersAsTheReference() throws Exception {
    // The fixture's template: "<s>how count me how many red circle show" (system, user, the cue).
    int[] rendered = {1, id("how"), id("count"), id("me"), id("how"), id("many"), id("red"), id("circle"), id("show")};
    JsonNode expected = Http.JSON.readTree(PythonFixtures.llamaReference(PythonFixtures.tinyLlama(),
        new int[][] {rendered}, 6).toFile());
    List<Integer> greedy = ints(expected.get("greedy").get(0));
    int stop = greedy.indexOf(2);
    List<Integer> reply = stop < 0 ? greedy : greedy.subList(0, stop);
    List<String> words = new ArrayList<>();
    reply.forEach(id -> vocab.fields().forEachRemaining(e -> {
      if (e.getValue().asInt() == id) {
        words.add(e.getKey());
      }
    }));

    ObjectNode chat = Http.JSON.createObjectNode().put("model", "imported").put("max_tokens", 6).put("n", 2);
    ArrayNode messages = chat.putArray("messages");
    messages.addObject().put("role", "developer").put("content", "count");
    messages.addObject().put("role", "user").put("content", "how many red circle");
    Http.Reply answered = http.post("/v1/chat/completions", chat);
    assertThat(answered.status()).as(answered.body()).isEqualTo(200);
    JsonNode json = answered.json();
    assertThat(json.get("object").asText()).isEqualTo("chat.completion");
    assertThat(json.get("choices")).hasSize(2);
    for (JsonNode choice : json.get("choices")) {
      assertThat(choice.at("/message/content").asText()).isEqualTo(String.join(" ", words)).isNotBlank();
      assertThat(choice.get("finish_reason").asText()).isEqualTo(stop < 0 ? "length" : "stop");
    }
    assertThat(json.at("/usage/prompt_tokens").asInt()).isEqualTo(rendered.length);

    Http.Reply streamed = http.post("/v1/chat/completions", chat.put("stream", true).put("n", 1));
    assertThat(streamed.status()).isEqualTo(200);
    assertThat(streamed.body()).contains("chat.completion.chunk").endsWith("data: [DONE]\n\n");
    // The reply streams token by token; its deltas add up to the whole reply.
    StringBuilder deltas = new StringBuilder();
    int chunks = 0;
    for (String line : streamed.body().split("\n")) {
      if (line.startsWith("data: {")) {
        JsonNode delta = Http.JSON.readTree(line.substring(6)).at("/choices/0/delta/content");
        deltas.append(delta.isMissingNode() ? "" : delta.asText());
        chunks++;
      }
    }
    assertThat(deltas.toString()).isEqualTo(String.join(" ", words));
    assertThat(chunks).as("a chunk per word at least").isGreaterThan(words.size());

    ObjectNode tool = Http.JSON.createObjectNode().put("model", "imported");
    tool.putArray("messages").addObject().put("role", "tool").put("content", "yes");
    Http.Reply refused = http.post("/v1/chat/completions", tool);
    assertThat(refused.status()).as(refused.body()).isEqualTo(400);
    assertThat(refused.json().at("/error/message").asText())
        .contains("Only system, user and assistant roles are supported");

    ObjectNode tooLong = Http.JSON.createObjectNode().put("model", "imported").put("max_tokens", 500);
    tooLong.putArray("messages").addObject().put("role", "user").put("content", "red");
    assertError(http.post("/v1/chat/completions", tooLong), "max_tokens", "context_length_exceeded");
  }

  private static int id(String word) {
    return vocab.get(word).asInt();
  }

  private static void assertError(Http.Reply reply, String param, String code) {
    assertThat(reply.status()).as(reply.body()).isEqualTo(400);
    JsonNode error = reply.json().get("error");
    assertThat(error.path("param").asText()).isEqualTo(param);
    if (code != null) {
      assertThat(error.path("code").asText()).isEqualTo(code);
    }
  }

  /** Fills a JSON array with ids. */
  private static final class ArrayNodeOf {
    static void ids(com.fasterxml.jackson.databind.node.ArrayNode array, int[] ids) {
      for (int id : ids) {
        array.add(id);
      }
    }
  }
}
