package org.aia4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.aia4j.evaluation.run.EvalSettings;
import org.aia4j.server.batch.BatchSettings;
import org.aia4j.server.batch.BatchedModel;
import org.aia4j.server.eval.EvaluationJob;
import org.aia4j.server.eval.EvaluationJobs;
import org.aia4j.server.eval.EvaluationSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Evaluation jobs: strict bodies, retention by count and age with their files, DELETE, the work directory. */
class EvaluationJobsTest {
  static final String SMALL = "{\"benchmarks\":[\"mmbench\"],\"limit\":1,\"samples\":1,\"batch\":1}";

  @TempDir
  static Path work;

  static AiaServer server;
  static Http http;

  @BeforeAll
  static void start() throws Exception {
    // At most one finished job is kept.
    server = AiaServer.start(ServerConfig.local(0, new BatchSettings(8, 2, 64), work.resolve("server"))
        .withRetention(new JobRetention(1, 3_600_000)), TinyModel::load);
    server.ready().get(120, TimeUnit.SECONDS);
    http = new Http(server);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void bodiesAreValidatedLikeTheOtherEndpoints() {
    record Case(String body, String code, String param) {}
    List<Case> cases = List.of(
        new Case("{}", "missing_required_parameter", "benchmarks"),
        new Case("{\"a\":{\"b\":1}}", "unknown_parameter", "a"),
        new Case("{\"benchmarks\":[\"mmbench\"],\"limt\":1}", "unknown_parameter", "limt"),
        new Case("{\"benchmarks\":[]}", "invalid_value", "benchmarks"),
        new Case("{\"benchmarks\":[\"mmbench\"],\"limit\":-1}", "invalid_value", "limit"));
    int before = server.evaluations().list().size();
    for (Case c : cases) {
      Http.Reply reply = http.post("/v1/evaluations", c.body());
      assertThat(reply.status()).as(c.body() + " -> " + reply.body()).isEqualTo(400);
      assertThat(reply.json().at("/error/code").asText()).as(reply.body()).isEqualTo(c.code());
      assertThat(reply.json().at("/error/param").asText()).as(reply.body()).isEqualTo(c.param());
    }
    assertThat(server.evaluations().list()).hasSize(before); // none of them started a job
  }

  @Test
  void finishedJobsBeyondTheRetentionAreRemovedWithTheirFiles() throws Exception {
    String first = runToEnd(SMALL);
    Path firstDir = Path.of(http.get("/v1/evaluations/" + first).json().get("output_dir").asText());
    assertThat(firstDir).isDirectory();
    String second = runToEnd(SMALL);
    // One finished job is kept: the first is forgotten and its outputs are gone.
    assertThat(http.get("/v1/evaluations/" + first).status()).isEqualTo(404);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (Files.exists(firstDir) && System.nanoTime() < deadline) {
      Thread.sleep(5); // removed right after the second job ended
    }
    assertThat(firstDir).doesNotExist();
    assertThat(http.get("/v1/evaluations/" + second).json().get("status").asText()).isEqualTo("succeeded");
  }

  @Test
  void finishedJobsOlderThanTheRetentionAreRemoved() throws Exception {
    ServerState.Ready ready = server.state().current();
    Path dir = work.resolve("aged");
    EvaluationJobs jobs = new EvaluationJobs(dir, 4, new JobRetention(10, 1));
    try {
      EvaluationJob job = jobs.start(new EvaluationSpec(List.of("mmbench"),
              new EvalSettings(1, 1, 2.0, 1.0, 0.0, 0, 0, 1, "onnx", "cpu", null, null, 0)),
          new BatchedModel(ready.model(), ready.batcher()));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!job.status().finished() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(job.status()).isEqualTo(EvaluationJob.Status.SUCCEEDED);
      Thread.sleep(20);
      jobs.prune(); // what the server does once a minute
      assertThat(jobs.list()).isEmpty(); // finished 20 ms ago is too old
      assertThat(job.outDir()).doesNotExist();
    } finally {
      jobs.close();
    }
  }

  @Test
  void deleteCancelsARunningJobAndRemovesIt() throws Exception {
    Http.Reply created = http.post("/v1/evaluations", "{\"benchmarks\":[\"geneval\",\"mmbench\"],\"samples\":4}");
    assertThat(created.status()).as(created.body()).isEqualTo(202);
    String id = created.json().get("id").asText();
    Path dir = Path.of(created.json().get("output_dir").asText());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!http.get("/v1/evaluations/" + id).json().get("status").asText().equals("running")
        && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    Http.Reply deleted = http.send("DELETE", "/v1/evaluations/" + id, null, null);
    assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
    assertThat(deleted.json().get("deleted").asBoolean()).isTrue();
    assertThat(deleted.json().get("object").asText()).isEqualTo("evaluation.deleted");
    assertThat(deleted.json().get("status").asText()).isIn("running", "cancelled");
    assertThat(http.get("/v1/evaluations/" + id).status()).isEqualTo(404);
    assertThat(http.get("/v1/evaluations").json().get("data").findValuesAsText("id")).doesNotContain(id);
    // The job stops: its files are removed once its thread has let go, and the batcher falls idle.
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (Files.exists(dir) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(dir).doesNotExist();
    Thread.sleep(200);
    assertThat(server.state().current().batcher().queuedRows()).isZero();
    assertThat(server.state().current().batcher().runningRequests()).isZero();
    Http.Reply again = http.send("DELETE", "/v1/evaluations/" + id, null, null);
    assertThat(again.status()).isEqualTo(404);
    assertThat(again.json().at("/error/code").asText()).isEqualTo("evaluation_not_found");
  }

  @Test
  void aTemporaryWorkDirectoryIsRemovedAtClose() throws Exception {
    Path own = Files.createDirectories(work.resolve("own"));
    AiaServer temporary = AiaServer.start(ServerConfig.local(0, new BatchSettings(4, 0, 16), own).removingWorkDir(),
        TinyModel::load);
    temporary.ready().get(60, TimeUnit.SECONDS);
    Http client = new Http(temporary);
    String id = client.post("/v1/evaluations", SMALL).json().get("id").asText();
    assertThat(client.get("/v1/evaluations/" + id + "/events").body()).contains("event: done");
    assertThat(own.resolve("evaluations").resolve(id)).isDirectory();
    temporary.close();
    assertThat(own).doesNotExist();
  }

  @Test
  void anImagesOnlyJobHandsTheOfficialGenEvalsImagesOffUnscored() throws Exception {
    Path metadata = work.resolve("coco_evaluation_metadata.jsonl");
    try (var in = EvaluationJobsTest.class.getResourceAsStream("/geneval/coco_evaluation_metadata.jsonl")) {
      java.nio.file.Files.copy(in, metadata, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    String body = "{\"benchmarks\":[\"geneval\"],\"images_only\":true,\"samples\":1,\"batch\":2,"
        + "\"geneval_metadata\":\"" + metadata.toString().replace("\\", "\\\\") + "\"}";
    String id = runToEnd(body);
    JsonNode handOff = http.get("/v1/evaluations/" + id).json().at("/summary/hand_offs/geneval");
    assertThat(handOff.path("prompts").asInt()).as(handOff.toString()).isEqualTo(6);
    assertThat(handOff.path("scorer").asText()).contains("evaluate_images.py");
    Path images = Path.of(handOff.path("images_dir").asText());
    assertThat(images.resolve("00005").resolve("metadata.jsonl")).isRegularFile();
    assertThat(images.resolve("00005").resolve("samples").resolve("0000.png")).isRegularFile();
    assertThat(http.get("/v1/evaluations/" + id).json().at("/summary/suites").size()).isZero();

    // Scored, the same metadata is refused before any model time, naming a class it cannot judge.
    Http.Reply scored = http.post("/v1/evaluations", body.replace("\"images_only\":true", "\"images_only\":false"));
    assertThat(scored.status()).as(scored.body()).isEqualTo(400);
    assertThat(scored.body()).contains("cannot judge");
    Http.Reply missing = http.post("/v1/evaluations",
        "{\"benchmarks\":[\"geneval\"],\"geneval_metadata\":\"/no/such/file.jsonl\"}");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().at("/error/param").asText()).isEqualTo("geneval_metadata");
  }

  private static String runToEnd(String body) {
    Http.Reply created = http.post("/v1/evaluations", body);
    assertThat(created.status()).as(created.body()).isEqualTo(202);
    String id = created.json().get("id").asText();
    assertThat(http.get("/v1/evaluations/" + id + "/events").body()).contains("event: done");
    JsonNode job = http.get("/v1/evaluations/" + id).json();
    assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("succeeded");
    return id;
  }
}
