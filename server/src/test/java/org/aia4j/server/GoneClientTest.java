package org.aia4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.aia4j.api.data.UnderstandingSample;
import org.aia4j.api.model.AnswerRequest;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.api.model.TokenListener;
import org.aia4j.onnx.runtime.OnnxUnifiedModel;
import org.aia4j.server.batch.BatchSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Work for a client that has gone stops: a queued request is dropped unrun, a request being
 * decoded leaves the batch; and the metrics count what was actually sent, including the aborted.
 */
class GoneClientTest {
  @TempDir
  Path work;

  @Test
  void aQueuedRequestWhoseClientLeftIsNeverRun() throws Exception {
    // A batch waits 3 s to fill: the request sits in the queue while its client leaves.
    try (AiaServer server = AiaServer.start(ServerConfig.local(0, new BatchSettings(8, 3_000, 64), work),
        TinyModel::load)) {
      String model = server.ready().get(60, TimeUnit.SECONDS).id();
      UnderstandingSample sample = TinyModel.DATA.understanding(2);
      byte[] body = ServerTestBodies.chat(model, sample.image(), sample.prompt()).toString()
          .getBytes(StandardCharsets.UTF_8);
      try (RawHttp raw = new RawHttp(server.port())) {
        raw.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + body.length + "\r\n\r\n");
        raw.send(body);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.state().current().batcher().queuedRequests() < 1 && System.nanoTime() < deadline) {
          Thread.sleep(2);
        }
        assertThat(server.state().current().batcher().queuedRequests()).isEqualTo(1);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (server.state().current().batcher().queuedRequests() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(2);
      }
      assertThat(server.state().current().batcher().queuedRequests()).isZero(); // well before the 3 s delay
      Thread.sleep(3_200);
      String metrics = new Http(server).get("/metrics").body();
      assertThat(metrics).contains("aia_cancelled_total{application=\"aia4j\"} 1.0");
      assertThat(metrics).doesNotContain("aia_batch_requests_count{application=\"aia4j\",kind=\"answer\"}");
      assertThat(HostileConnectionTest.counter(metrics, "aia_http_requests_total",
          "endpoint=\"/v1/chat/completions\",status=\"aborted\"")).isEqualTo(1);
    }
  }

  @Test
  void aStoppedAnswerLeavesTheBatchAndTheOthersAreUnchanged() throws Exception {
    try (OnnxUnifiedModel model = TinyModel.load()) {
      // Two questions whose answers are several tokens long, decoded together.
      List<AnswerRequest> requests = new ArrayList<>();
      List<String> alone = new ArrayList<>();
      // The tiny model answers in a word or two; sampled answers (seeded) run longer.
      for (int i = 0; i < 200 && requests.size() < 2; i++) {
        UnderstandingSample sample = TinyModel.DATA.understanding(i % 20);
        AnswerRequest request = new AnswerRequest(sample.image(), sample.prompt(), 12,
            new SamplingSettings(1.0, 1.5, 0, i));
        AtomicInteger tokens = new AtomicInteger();
        String answer = model.answer(List.of(request), (r, id) -> tokens.incrementAndGet()).get(0);
        if (tokens.get() >= 3) {
          requests.add(request);
          alone.add(answer);
        }
      }
      assertThat(requests).as("two questions with answers of 3+ tokens").hasSize(2);
      int[] decoded = new int[2];
      List<String> answers = model.answer(requests, new TokenListener() {
        @Override
        public void onToken(int request, int textId) {
          decoded[request]++;
        }

        @Override
        public boolean stopped(int request) {
          return request == 0 && decoded[0] >= 1; // its client went after the first token
        }
      });
      assertThat(decoded[0]).isEqualTo(1);
      assertThat(answers.get(1)).isEqualTo(alone.get(1));
      assertThat(alone.get(0)).startsWith(answers.get(0)).isNotEqualTo(answers.get(0));
    }
  }

  @Test
  void metricsCountTheStatusSent() throws Exception {
    try (AiaServer server = AiaServer.start(ServerConfig.local(0, new BatchSettings(4, 0, 16), work)
        .withConnections(ConnectionLimits.defaults().withTimeouts(5_000, 5_000, 500)), TinyModel::load)) {
      server.ready().get(60, TimeUnit.SECONDS);
      int port = server.port();
      Http http = new Http(server);
      RawHttp.exchange(port, HostileConnectionTest.post("/v1/chat/completions", 5,
          "application/x-www-form-urlencoded") + "a=%zz", 3_000);
      RawHttp.exchange(port, "GET /health HTTP/1.1\r\n\r\n", 3_000);
      RawHttp.exchange(port, "GARBAGE\r\n\r\n", 3_000);
      // A body the client abandons, and one the body timeout cuts.
      try (RawHttp raw = new RawHttp(port)) {
        raw.send(HostileConnectionTest.post("/v1/images/generations", 1_000, "application/json") + "{\"prompt\":");
        Thread.sleep(100);
      }
      assertThat(RawHttp.exchange(port, HostileConnectionTest.post("/v1/images/generations", 1_000,
          "application/json") + "{", 3_000).closed()).isTrue();
      assertThat(http.get("/v1/evaluations/").status()).isEqualTo(200);
      assertThat(http.get("/v1/chat/completions").status()).isEqualTo(405);
      Thread.sleep(200);
      String metrics = http.get("/metrics").body();
      assertThat(count(metrics, "/v1/chat/completions", "415")).isEqualTo(1);
      assertThat(count(metrics, "/v1/chat/completions", "405")).isEqualTo(1);
      assertThat(count(metrics, "/v1/chat/completions", "200")).isZero();
      assertThat(count(metrics, "/health", "400")).isEqualTo(1);
      assertThat(count(metrics, "other", "400")).isEqualTo(1);
      assertThat(count(metrics, "/v1/images/generations", "aborted")).isEqualTo(2);
      assertThat(count(metrics, "/v1/images/generations", "200")).isZero();
      assertThat(count(metrics, "/v1/evaluations", "200")).isEqualTo(1);
      assertThat(metrics).doesNotContain("/v1/evaluations/{id}");
    }
  }

  static long count(String metrics, String endpoint, String status) {
    return HostileConnectionTest.counter(metrics, "aia_http_requests_total",
        "endpoint=\"" + endpoint + "\",status=\"" + status + "\"");
  }
}
