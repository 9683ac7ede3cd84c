package org.aia4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.aia4j.evaluation.run.EvalSummary;
import org.aia4j.onnx.runtime.OnnxUnifiedModel;
import org.aia4j.server.AiaServer;
import org.aia4j.server.ServerConfig;
import org.aia4j.server.batch.BatchSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one evaluation seam: a server's evaluation job (a real Vert.x server on a socket) and {@code
 * aia eval} with the same settings on the same tiny checkpoint write summaries with the same
 * scores, and {@code aia report} puts the two side by side.
 */
class EvaluationSeamTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  @Test
  void aServerJobAndAiaEvalGiveTheSameScoresAndOneReport() throws Exception {
    Path checkpoint = tmp.resolve("tiny");
    CliTest.Run train = CliTest.aia("train", "--preset", "tiny", "--steps", "20", "--out", checkpoint.toString());
    assertThat(train.exit()).as(train.err()).isZero();

    JsonNode job;
    try (AiaServer server = AiaServer.start(ServerConfig.local(0, new BatchSettings(8, 2, 64), tmp.resolve("work")),
        () -> OnnxUnifiedModel.load(checkpoint, Map.of()))) {
      server.ready().get(120, TimeUnit.SECONDS);
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + server.port();
      HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/evaluations"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"benchmarks\":[\"geneval\",\"mmbench\"],\"limit\":3,\"samples\":2,\"seed\":3,\"batch\":2}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
      String id = JSON.readTree(created.body()).get("id").asText();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      do {
        Thread.sleep(50);
        job = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/v1/evaluations/" + id))
            .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).body());
      } while (!job.get("status").asText().matches("succeeded|failed|cancelled") && System.nanoTime() < deadline);
      assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("succeeded");

      Path serverRun = Path.of(job.get("output_dir").asText());
      EvalSummary fromServer = EvalSummary.read(serverRun.resolve(EvalSummary.FILE_NAME));
      assertThat(job.get("summary")).as("GET shows the file's record").isEqualTo(fromServer.toJson());
      assertThat(serverRun.resolve("mmbench/predictions.tsv")).exists();
      assertThat(serverRun.resolve("geneval/images/00000/samples/0001.png")).exists();

      Path cliRun = tmp.resolve("cli-eval");
      CliTest.Run eval = CliTest.aia("eval", "--checkpoint", checkpoint.toString(), "--backend", "onnx",
          "--benchmarks", "geneval,mmbench", "--limit", "3", "--samples", "2", "--seed", "3", "--batch", "2",
          "--out", cliRun.toString());
      assertThat(eval.exit()).as(eval.err()).isZero();
      EvalSummary fromCli = EvalSummary.read(cliRun.resolve(EvalSummary.FILE_NAME));

      assertThat(fromServer.suites().keySet()).containsExactly("geneval", "mmbench");
      for (String suite : fromServer.suites().keySet()) {
        EvalSummary.SuiteResult served = fromServer.suite(suite).orElseThrow();
        EvalSummary.SuiteResult local = fromCli.suite(suite).orElseThrow();
        assertThat(served.overall()).as(suite).isEqualTo(local.overall());
        assertThat(served.breakdown()).as(suite).isEqualTo(local.breakdown());
        assertThat(served.number("vanilla")).as(suite).isEqualTo(local.number("vanilla"));
      }
      // The settings that decide the scores agree; only the curves' samples differ (the server has no training world).
      assertThat(fromServer.settings().withSubset(3, 2))
          .isEqualTo(new org.aia4j.evaluation.run.EvalSettings(3, 2, 2.0, 1.0, 0.0, 0, 3, 2, "onnx", "cpu", null,
              null, 0));
      assertThat(fromCli.settings().interactionSamples()).isEqualTo(128);
      assertThat(fromServer.checkpoint().path()).isEqualTo(fromCli.checkpoint().path());
      assertThat(Files.readAllLines(serverRun.resolve("mmbench/predictions.tsv")))
          .isEqualTo(Files.readAllLines(cliRun.resolve("mmbench/predictions.tsv")));

      Path page = tmp.resolve("report.html");
      CliTest.Run report = CliTest.aia("report", serverRun.toString(), cliRun.toString(), "--out", page.toString());
      assertThat(report.exit()).as(report.err()).isZero();
      assertThat(report.out()).contains("2 runs");
      String html = Files.readString(page);
      String table = html.substring(html.indexOf("<table class=\"cmp\">"), html.indexOf("</table>",
          html.indexOf("<table class=\"cmp\">")));
      assertThat(table).contains(serverRun.getFileName().toString(), "cli-eval", "tiny");
    }
  }
}
