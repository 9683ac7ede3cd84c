package org.aia4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.aia4j.server.batch.BatchSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and careless connections against a real server on a real socket, with short timeouts:
 * hundreds of stalled half-sent bodies, slowloris headers, idle connections, form and multipart
 * bodies, requests without a Host or not HTTP at all. No 5xx, no unbounded buffering, /health
 * stays fast, and the server closes what stalls.
 */
class HostileConnectionTest {
  static final long IDLE_MS = 1_500;
  static final long HEADER_MS = 1_000;
  static final long BODY_MS = 1_500;
  static final long BODY_BUDGET = 64L * 1024 * 1024;

  @TempDir
  static Path work;

  static AiaServer server;
  static Http http;
  static String model;

  @BeforeAll
  static void start() throws Exception {
    server = AiaServer.start(ServerConfig.local(0, new BatchSettings(8, 5, 64), work)
        .withConnections(ConnectionLimits.defaults().withTimeouts(IDLE_MS, HEADER_MS, BODY_MS)
            .withBodyMemory(BODY_BUDGET)), TinyModel::load);
    model = server.ready().get(120, TimeUnit.SECONDS).id();
    http = new Http(server);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String post(String path, long contentLength, String contentType) {
    return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + contentType + "\r\nContent-Length: "
        + contentLength + "\r\n\r\n";
  }

  @Test
  void stalledSlowAndIdleConnectionsAreClosedWhileHealthStaysFast() throws Exception {
    int port = server.port();
    List<RawHttp> smallBodies = new ArrayList<>();
    List<RawHttp> largeBodies = new ArrayList<>();
    List<RawHttp> slowHeaders = new ArrayList<>();
    List<RawHttp> idle = new ArrayList<>();
    List<RawHttp> keptAlive = new ArrayList<>();
    String pad = "{\"model\":\"" + model + "\",\"pad\":\"" + "x".repeat(50_000);
    long sent = System.nanoTime();
    try {
      // 250 bodies half sent (50 of 100 KB), then stalled: admitted, then cut by the body timeout.
      for (int i = 0; i < 250; i++) {
        RawHttp raw = new RawHttp(port);
        raw.send(post("/v1/chat/completions", 100_000, "application/json") + pad);
        smallBodies.add(raw);
      }
      // 40 bodies declaring 15 MB: the budget admits a few, the rest get 429 before a byte is read.
      byte[] start = pad.substring(0, 32_768).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
      for (int i = 0; i < 40; i++) {
        RawHttp raw = new RawHttp(port);
        raw.send(post("/v1/chat/completions", 15_000_000, "application/json"));
        raw.send(start);
        largeBodies.add(raw);
      }
      // 100 slowloris heads, a header line every 200 ms, and 100 connections that send nothing.
      for (int i = 0; i < 100; i++) {
        RawHttp raw = new RawHttp(port);
        raw.send("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n");
        slowHeaders.add(raw);
        idle.add(new RawHttp(port));
      }
      // 50 kept alive after one answered request, then silent: cut by the idle timeout.
      for (int i = 0; i < 50; i++) {
        RawHttp raw = new RawHttp(port);
        raw.send("GET /ping HTTP/1.1\r\nHost: localhost\r\n\r\n");
        keptAlive.add(raw);
      }
      long accepting = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (server.openConnections() < 400 && System.nanoTime() < accepting) {
        Thread.sleep(5);
      }
      assertThat(server.openConnections()).isGreaterThanOrEqualTo(400);
      int attackers = server.openConnections();
      Thread drip = new Thread(() -> {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
        for (int n = 0; System.nanoTime() < end; n++) {
          for (RawHttp raw : slowHeaders) {
            raw.send("X-Slow-" + n + ": a\r\n");
          }
          try {
            Thread.sleep(200);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "slowloris");
      drip.setDaemon(true);
      drip.start();

      // Liveness under attack: /health answers fast, and the buffered bodies stay within the budget.
      long slowest = 0;
      long peak = 0;
      for (int i = 0; i < 5; i++) {
        long t = System.nanoTime();
        assertThat(http.get("/health").status()).isEqualTo(200);
        slowest = Math.max(slowest, System.nanoTime() - t);
        long held = gauge(http.get("/metrics").body(), "aia_request_body_bytes");
        assertThat(held).isBetween(0L, BODY_BUDGET);
        peak = Math.max(peak, held);
        Thread.sleep(150);
      }
      assertThat(TimeUnit.NANOSECONDS.toMillis(slowest)).isLessThan(2_000);

      long wait = Math.max(IDLE_MS, Math.max(HEADER_MS, BODY_MS)) + 4_000;
      Map<String, Integer> outcomes = new TreeMap<>();
      List<String> failures = new ArrayList<>();
      for (var group : Map.of("small body", smallBodies, "large body", largeBodies, "slow header", slowHeaders,
          "silent", idle, "kept alive", keptAlive).entrySet()) {
        for (RawHttp raw : group.getValue()) {
          RawHttp.Result result = raw.read(Math.max(1, wait - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent)));
          outcomes.merge(group.getKey() + " " + (result.status() == 0 ? "closed" : result.status()), 1, Integer::sum);
          if (!result.closed()) {
            failures.add(group.getKey() + ": still open after " + wait + " ms");
          }
          if (result.status() >= 500) {
            failures.add(group.getKey() + ": " + result.statusLine() + " " + result.body());
          }
          if (result.status() >= 400) {
            assertThat(result.json().at("/error/type").asText()).isNotEmpty();
          }
        }
      }
      drip.interrupt();
      System.out.println("Hostile connections (" + attackers + " open at once): " + outcomes + ", slowest /health "
          + slowest / 1_000_000 + " ms, peak body bytes held " + peak);
      assertThat(failures).isEmpty();
      // The small bodies fit the budget and were cut by the body timeout, not refused.
      assertThat(outcomes.get("small body closed")).isEqualTo(250);
      assertThat(outcomes.getOrDefault("large body 429", 0)).isGreaterThanOrEqualTo(30);
      String metrics = http.get("/metrics").body();
      assertThat(counter(metrics, "aia_connections_timed_out_total", "phase=\"body\"")).isGreaterThanOrEqualTo(250);
      assertThat(outcomes.get("kept alive 200")).isEqualTo(50);
      assertThat(counter(metrics, "aia_connections_timed_out_total", "phase=\"header\"")).isGreaterThanOrEqualTo(200);
      assertThat(counter(metrics, "aia_connections_timed_out_total", "phase=\"idle\"")).isGreaterThanOrEqualTo(50);
      assertThat(gauge(metrics, "aia_request_body_bytes")).isZero();
    } finally {
      for (List<RawHttp> group : List.of(smallBodies, largeBodies, slowHeaders, idle, keptAlive)) {
        group.forEach(RawHttp::close);
      }
    }
    assertThat(http.get("/health").status()).isEqualTo(200);
    assertThat(http.post("/v1/chat/completions", ServerTestBodies.chat(model, TinyModel.DATA.understanding(0).image(),
        TinyModel.DATA.understanding(0).prompt())).status()).isEqualTo(200);
  }

  @Test
  void everyRefusalIsA4xxInTheOpenAiShape() {
    int port = server.port();
    record Case(String name, String request, int status, String code) {}
    String fields = "a=1&".repeat(200_000);
    List<Case> cases = List.of(
        new Case("form body", post("/v1/chat/completions", 5, "application/x-www-form-urlencoded") + "a=%zz", 415,
            "unsupported_media_type"),
        new Case("multipart, empty boundary", post("/v1/chat/completions", 10, "multipart/form-data; boundary=")
            + "--\r\n\r\n--\r\n", 415, "unsupported_media_type"),
        new Case("200,000 form fields (head only)", post("/v1/images/generations", fields.length(),
            "application/x-www-form-urlencoded"), 415, "unsupported_media_type"),
        new Case("a 5 MB form field (head only)", post("/v1/evaluations", 5_000_002,
            "application/x-www-form-urlencoded") + "a=", 415, "unsupported_media_type"),
        new Case("a body over the limit (head only)", post("/v1/chat/completions", 17_000_000, "application/json"),
            413, "request_too_large"),
        new Case("no Host", "GET /health HTTP/1.1\r\n\r\n", 400, "missing_host"),
        new Case("no Host, POST", "POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", 400,
            "missing_host"),
        new Case("a request line that is not HTTP", "GARBAGE\r\n\r\n", 400, "malformed_request"),
        new Case("Content-Length 2^64", "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
            + "Content-Length: 18446744073709551616\r\n\r\n{}", 400, "malformed_request"),
        new Case("a negative Content-Length", "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
            + "Content-Length: -5\r\n\r\n{}", 400, "malformed_request"),
        new Case("a request line too long", "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414,
            "uri_too_long"),
        new Case("headers too large", "GET /health HTTP/1.1\r\nHost: x\r\nX-Long: " + "b".repeat(40_000)
            + "\r\n\r\n", 431, "headers_too_large"),
        new Case("an unknown route", "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 404, "unknown_url"),
        new Case("an unknown method", "BREW /v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 405,
            "method_not_allowed"),
        new Case("a wrong method", "PUT /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            + "Content-Length: 2\r\n\r\n{}", 405, "method_not_allowed"));
    List<String> failures = new ArrayList<>();
    for (Case c : cases) {
      RawHttp.Result result = RawHttp.exchange(port, c.request(), 5_000);
      if (result.status() != c.status()) {
        failures.add(c.name() + ": expected " + c.status() + ", got '" + result.statusLine() + "' " + result.body());
        continue;
      }
      JsonNode error = result.json().get("error");
      if (error == null || !c.code().equals(error.path("code").asText()) || error.path("message").asText().isBlank()
          || !error.has("param") || !error.path("type").asText().equals("invalid_request_error")
          || result.body().contains("Exception")) {
        failures.add(c.name() + ": badly shaped error " + result.body());
      }
      if (!result.head().toLowerCase(java.util.Locale.ROOT).contains("content-type: application/json")) {
        failures.add(c.name() + ": not JSON: " + result.head());
      }
    }
    // HEAD has no body by definition: the error's status and JSON type, and no 5xx.
    RawHttp.Result head = RawHttp.exchange(port, "HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 5_000);
    assertThat(head.status()).isEqualTo(404);
    assertThat(head.head().toLowerCase(java.util.Locale.ROOT)).contains("content-type: application/json");
    assertThat(RawHttp.exchange(port, "HEAD /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 5_000)
        .status()).isEqualTo(200);
    // HTTP/1.0 needs no Host; a broken chunk is never a 5xx.
    assertThat(RawHttp.exchange(port, "GET /health HTTP/1.0\r\n\r\n", 5_000).status()).isEqualTo(200);
    RawHttp.Result chunk = RawHttp.exchange(port, "POST /v1/images/generations HTTP/1.1\r\nHost: x\r\n"
        + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n", 5_000);
    assertThat(chunk.status()).isLessThan(500);
    // No cleartext HTTP/2: Vert.x refuses its preface itself (an empty 501, before any handler)
    // and closes; an h2c upgrade is ignored.
    RawHttp.Result preface = RawHttp.exchange(port, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 3_000);
    assertThat(preface.closed()).isTrue();
    assertThat(preface.status()).isNotEqualTo(200);
    RawHttp.Result upgrade = RawHttp.exchange(port, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, "
        + "HTTP2-Settings, close\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n", 3_000);
    assertThat(upgrade.status()).isEqualTo(200);
    assertThat(failures).isEmpty();
    assertThat(http.get("/health").status()).isEqualTo(200);
  }

  @Test
  void admissionIsDecidedFromTheHeadersBeforeTheBody() throws Exception {
    int port = server.port();
    // Expect: 100-continue is answered only for an admitted body; a refused one gets its error at once.
    try (RawHttp raw = new RawHttp(port)) {
      raw.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: 2\r\nExpect: 100-continue\r\n\r\n");
      assertThat(raw.read(500).statusLine()).isEqualTo("HTTP/1.1 100 Continue");
    }
    RawHttp.Result refused = RawHttp.exchange(port, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
        + "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n", 500);
    assertThat(refused.status()).isEqualTo(415);
    // A full queue refuses with 429 before the body is sent.
    try (AiaServer busy = AiaServer.start(ServerConfig.local(0, new BatchSettings(64, 2_000, 2), work),
        TinyModel::load)) {
      busy.ready().get(60, TimeUnit.SECONDS);
      Http client = new Http(busy);
      var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> client.post("/v1/images/generations",
          "{\"prompt\":\"a red circle\",\"seed\":1}"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (busy.state().current().batcher().queuedRows() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(2);
      }
      try (RawHttp raw = new RawHttp(busy.port())) {
        raw.send(post("/v1/chat/completions", 1_000_000, "application/json")); // the head only
        RawHttp.Result full = raw.read(1_000);
        assertThat(full.status()).as(full.toString()).isEqualTo(429);
        assertThat(full.head()).contains("Retry-After: 1");
        assertThat(full.json().at("/error/code").asText()).isEqualTo("queue_full");
      }
      assertThat(first.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
    }
  }

  @Test
  void imagesOverThePixelBudgetAreRefusedFromTheirHeader() {
    // The tiny model reads 32x32 images: the budget is 1024x1024 pixels.
    BufferedImage large = new BufferedImage(1100, 1100, BufferedImage.TYPE_INT_RGB);
    long t = System.nanoTime();
    Http.Reply reply = http.post("/v1/chat/completions", ServerTestBodies.chat(model, large, "what is it?"));
    assertThat(reply.status()).as(reply.body()).isEqualTo(400);
    assertThat(reply.json().at("/error/code").asText()).isEqualTo("image_too_large");
    assertThat(reply.json().at("/error/message").asText()).contains("1100x1100", "1048576 pixels");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t)).isLessThan(5_000);
    BufferedImage fits = new BufferedImage(1024, 1024, BufferedImage.TYPE_INT_RGB);
    Http.Reply read = http.post("/v1/chat/completions", ServerTestBodies.chat(model, fits, "what is it?"));
    assertThat(read.status()).as(read.body()).isEqualTo(200);
  }

  @Test
  void connectionsOverTheCapAreClosedAtOnce() throws Exception {
    try (AiaServer capped = AiaServer.start(ServerConfig.local(0, new BatchSettings(4, 0, 16), work)
        .withConnections(ConnectionLimits.defaults().withMaxConnections(4)), TinyModel::load)) {
      capped.ready().get(60, TimeUnit.SECONDS);
      List<RawHttp> held = new ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) {
          held.add(new RawHttp(capped.port()));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (capped.openConnections() < 4 && System.nanoTime() < deadline) {
          Thread.sleep(5);
        }
        RawHttp.Result fifth = RawHttp.exchange(capped.port(), "GET /health HTTP/1.1\r\nHost: x\r\n\r\n", 3_000);
        assertThat(fifth.closed()).isTrue();
        assertThat(fifth.status()).isZero();
      } finally {
        held.forEach(RawHttp::close);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (capped.openConnections() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      Http client = new Http(capped);
      assertThat(client.get("/health").status()).isEqualTo(200);
      assertThat(client.get("/metrics").body()).contains("aia_connections_refused_total{application=\"aia4j\"} 1.0");
    }
  }

  @Test
  void aHalfSentBodyDoesNotDelayShutdown() throws Exception {
    AiaServer closing = AiaServer.start(ServerConfig.local(0, new BatchSettings(4, 0, 16), work), TinyModel::load);
    closing.ready().get(60, TimeUnit.SECONDS);
    try (RawHttp raw = new RawHttp(closing.port())) {
      raw.send(post("/v1/chat/completions", 10_000, "application/json") + "{\"model\":");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (closing.openConnections() < 1 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      Thread.sleep(100);
      long t = System.nanoTime();
      closing.close(); // the shutdown timeout is 60 s
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t)).isLessThan(5_000);
      assertThat(raw.read(2_000).closed()).isTrue();
    }
  }

  static long gauge(String metrics, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*\\} ([0-9.eE+-]+)$").matcher(metrics);
    return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
  }

  static long counter(String metrics, String name, String label) {
    Matcher m = Pattern.compile("(?m)^" + name + "\\{([^}]*)\\} ([0-9.eE+-]+)$").matcher(metrics);
    long total = 0;
    while (m.find()) {
      if (m.group(1).contains(label)) {
        total += (long) Double.parseDouble(m.group(2));
      }
    }
    return total;
  }
}
