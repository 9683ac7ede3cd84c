package org.aia4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.aia4j.api.data.UnderstandingSample;
import org.aia4j.server.batch.BatchSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of malformed requests, seeded: mutated JSON bytes, fields of the wrong type or out of
 * range, broken images, odd methods and paths. None may get a 5xx, every error must be
 * OpenAI-shaped without a stack trace, and the server must stay healthy and keep answering.
 */
class FuzzTest {
  static final int REQUESTS = 3000;

  @TempDir
  static Path work;

  static AiaServer server;
  static Http http;
  static String model;

  @BeforeAll
  static void start() throws Exception {
    server = AiaServer.start(ServerConfig.local(0, new BatchSettings(16, 2, 256), work).withBodyLimit(256 * 1024),
        TinyModel::load);
    model = server.ready().get(120, TimeUnit.SECONDS).id();
    http = new Http(server);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static final List<JsonNode> ODD_VALUES = List.of(
      Http.JSON.nullNode(), Http.JSON.getNodeFactory().textNode(""), Http.JSON.getNodeFactory().textNode("\u0000\uffff"),
      Http.JSON.getNodeFactory().numberNode(-1), Http.JSON.getNodeFactory().numberNode(0),
      Http.JSON.getNodeFactory().numberNode(1e308), Http.JSON.getNodeFactory().numberNode(-1e-300),
      Http.JSON.getNodeFactory().numberNode(Long.MAX_VALUE), Http.JSON.getNodeFactory().numberNode(2.5),
      Http.JSON.getNodeFactory().numberNode(new java.math.BigInteger("123456789012345678901234567890")),
      Http.JSON.getNodeFactory().booleanNode(true), Http.JSON.createArrayNode(), Http.JSON.createObjectNode(),
      Http.JSON.createArrayNode().add(1).add("x"), Http.JSON.getNodeFactory().textNode("data:image/png;base64,AAAA"),
      Http.JSON.getNodeFactory().textNode("data:image/jpeg;base64,/9j/4AAQ"),
      Http.JSON.getNodeFactory().textNode("data:image/png;base64," + "A".repeat(3000)),
      Http.JSON.getNodeFactory().textNode("x".repeat(40_000)));

  @Test
  void malformedRequestsNever5xxAndTheServerStaysHealthy() {
    Random random = new Random(20261123L);
    UnderstandingSample sample = TinyModel.DATA.understanding(0);
    ObjectNode chat = ServerTestBodies.chat(model, sample.image(), sample.prompt());
    ObjectNode image = Http.JSON.createObjectNode().put("model", model).put("prompt", "a red circle").put("n", 1)
        .put("seed", 1);
    ObjectNode eval = Http.JSON.createObjectNode().put("limit", 1).put("samples", 1);
    eval.putArray("benchmarks").add("nope");
    Map<Integer, Integer> statuses = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < REQUESTS; i++) {
      int kind = random.nextInt(10);
      String path = kind < 5 ? "/v1/chat/completions" : kind < 8 ? "/v1/images/generations" : "/v1/evaluations";
      ObjectNode base = kind < 5 ? chat : kind < 8 ? image : eval;
      byte[] body;
      String method = "POST";
      int how = random.nextInt(100);
      if (how < 40) {
        body = mutateValues(base, random).toString().getBytes(StandardCharsets.UTF_8);
      } else if (how < 70) {
        body = mutateBytes(base.toString().getBytes(StandardCharsets.UTF_8), random);
      } else if (how < 80) {
        body = nested(random.nextInt(3000), random).getBytes(StandardCharsets.UTF_8);
      } else if (how < 90) {
        body = new byte[random.nextInt(2000)];
        random.nextBytes(body);
      } else {
        method = List.of("GET", "PUT", "DELETE", "PATCH", "POST").get(random.nextInt(5));
        path = List.of("/", "/v1", "/v1/models/..%2f", "/v1/chat/completions/x", "/v1/evaluations/%00",
            "/v1/images/generations?x=%25zz&x=%00", "/metrics/x", "/v1/evaluations/eval-x/events").get(random.nextInt(8));
        body = random.nextBoolean() ? null : mutateBytes(base.toString().getBytes(StandardCharsets.UTF_8), random);
      }
      if (kind >= 8 && method.equals("POST") && startsAJob(body)) {
        continue; // a valid evaluation body would start a real benchmark job
      }
      Http.Reply reply = http.send(method, path, body, random.nextInt(10) == 0 ? "text/plain" : "application/json");
      statuses.merge(reply.status(), 1, Integer::sum);
      if (reply.status() >= 500) {
        failures.add(reply.status() + " for " + method + " " + path + ": " + reply.body());
        continue;
      }
      if (reply.status() >= 400) {
        JsonNode error = reply.json().get("error");
        if (error == null || !error.hasNonNull("message") || !error.hasNonNull("type")
            || reply.body().contains("\tat ") || reply.body().contains("Exception")) {
          failures.add("Badly shaped error " + reply.status() + ": " + reply.body());
        }
      }
    }
    System.out.printf("Fuzz statuses: %s in %.1f s%n", statuses, (System.nanoTime() - start) / 1e9);
    Map<String, Integer> rawStatuses = new TreeMap<>();
    for (int i = 0; i < 200; i++) {
      String status = raw(rawRequest(random));
      rawStatuses.merge(status.length() > 12 ? status.substring(0, 12) : status, 1, Integer::sum);
      if (status.matches("HTTP/1\\.[01] 5\\d\\d.*")) {
        failures.add("Raw request got " + status);
      }
    }
    System.out.println("Raw HTTP statuses: " + rawStatuses);
    assertThat(failures).as("statuses " + statuses).isEmpty();
    assertThat(statuses.keySet()).as("statuses " + statuses).contains(400);
    assertThat(http.get("/health").status()).isEqualTo(200);
    Http.Reply fine = http.post("/v1/chat/completions", chat);
    assertThat(fine.status()).as(fine.body()).isEqualTo(200);
    assertThat(fine.json().at("/choices/0/message/content").isTextual()).isTrue();
  }

  private static boolean startsAJob(byte[] body) {
    if (body == null) {
      return false;
    }
    try {
      JsonNode node = Http.JSON.readTree(body);
      return node != null && node.isObject() && !node.path("benchmarks").isArray() || node != null
          && node.path("benchmarks").toString().matches(".*(geneval|mmbench).*");
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** Broken HTTP itself: bad request lines, headers, lengths and chunking. */
  static String rawRequest(Random random) {
    String body = "{\"prompt\":\"a red circle\"}";
    return switch (random.nextInt(6)) {
      case 0 -> "GARBAGE / HTTP/1.1\r\nHost: x\r\n\r\n";
      case 1 -> "POST /v1/images/generations HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n" + body;
      case 2 -> "POST /v1/images/generations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n"
          + body + "\r\n0\r\n\r\n";
      case 3 -> "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n";
      case 4 -> "GET /health HTTP/1.1\r\nHost: x\r\nX-Long: " + "b".repeat(40_000) + "\r\n\r\n";
      default -> "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n{\"a";
    };
  }

  /** Sends raw bytes and returns the status line, or empty if the server just closed the connection. */
  static String raw(String request) {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      socket.shutdownOutput();
      var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
          StandardCharsets.ISO_8859_1));
      String line = in.readLine();
      return line == null ? "" : line;
    } catch (java.io.IOException e) {
      return "";
    }
  }

  /** The body with one value somewhere replaced by an odd one, or a field removed or added. */
  static JsonNode mutateValues(ObjectNode base, Random random) {
    ObjectNode copy = base.deepCopy();
    List<JsonNode> containers = new ArrayList<>();
    collect(copy, containers);
    JsonNode target = containers.get(random.nextInt(containers.size()));
    JsonNode odd = ODD_VALUES.get(random.nextInt(ODD_VALUES.size()));
    if (target instanceof ObjectNode object) {
      List<String> names = new ArrayList<>();
      object.fieldNames().forEachRemaining(names::add);
      int action = random.nextInt(3);
      if (action == 0 && !names.isEmpty()) {
        object.remove(names.get(random.nextInt(names.size())));
      } else if (action == 1 && !names.isEmpty()) {
        object.set(names.get(random.nextInt(names.size())), odd);
      } else {
        object.set(List.of("temperature", "max_tokens", "n", "stream", "seed", "top_k", "size", "guidance_scale",
            "stream_options", "response_format", "limit").get(random.nextInt(11)), odd);
      }
    } else if (target instanceof ArrayNode array && !array.isEmpty()) {
      array.set(random.nextInt(array.size()), odd);
    }
    return copy;
  }

  private static void collect(JsonNode node, List<JsonNode> out) {
    if (node.isContainerNode()) {
      out.add(node);
      for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
        collect(it.next(), out);
      }
    }
  }

  static byte[] mutateBytes(byte[] bytes, Random random) {
    byte[] out = bytes.clone();
    int edits = 1 + random.nextInt(4);
    for (int e = 0; e < edits; e++) {
      int at = random.nextInt(out.length);
      switch (random.nextInt(3)) {
        case 0 -> out[at] = (byte) random.nextInt(256);
        case 1 -> out = java.util.Arrays.copyOf(out, at); // truncated
        default -> out[at] = (byte) "{}[]\",:\\".charAt(random.nextInt(8));
      }
      if (out.length == 0) {
        break;
      }
    }
    return out;
  }

  static String nested(int depth, Random random) {
    String open = random.nextBoolean() ? "[" : "{\"a\":";
    String close = open.equals("[") ? "]" : "}";
    return open.repeat(depth) + "1" + close.repeat(random.nextInt(depth + 1));
  }
}
