package org.aia4j.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.aia4j.api.data.UnderstandingSample;
import org.aia4j.api.model.AnswerRequest;
import org.aia4j.api.model.GenerationRequest;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.onnx.runtime.OnnxUnifiedModel;
import org.aia4j.server.batch.Answer;
import org.aia4j.server.batch.BatchSettings;
import org.aia4j.server.batch.Batcher;
import org.aia4j.server.batch.QueueFullException;
import org.aia4j.server.batch.TokenSink;
import org.aia4j.server.metrics.ServerMetrics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dynamic batcher on a real model: grouping, capacity in rows, 429s, isolation of bad requests. */
class BatcherTest {
  @TempDir
  static Path work;

  static OnnxUnifiedModel model;
  static ServedModel served;

  @BeforeAll
  static void load() throws Exception {
    model = TinyModel.load();
    served = new ServedModel(model, "tiny");
  }

  @AfterAll
  static void close() {
    model.close();
  }

  static AnswerRequest question(int i, String prompt) {
    UnderstandingSample sample = TinyModel.DATA.understanding(i);
    return new AnswerRequest(sample.image(), prompt == null ? sample.prompt() : prompt, 6, SamplingSettings.greedy());
  }

  static CompletableFuture<Answer> ask(Batcher batcher, AnswerRequest request) throws QueueFullException {
    return batcher.answer(List.of(request), served.answerPromptTokens(request.prompt()), List.of(TokenSink.none()))
        .get(0);
  }

  @Test
  void requestsArrivingTogetherDecodeInOneCallAndAnswerAsAlone() throws Exception {
    ServerMetrics metrics = new ServerMetrics();
    try (Batcher batcher = new Batcher(served, new BatchSettings(8, 2_000, 64), metrics)) {
      List<CompletableFuture<Answer>> answers = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        answers.add(ask(batcher, question(i, null)));
      }
      for (int i = 0; i < 8; i++) {
        String alone = model.answer(List.of(question(i, null))).get(0);
        assertThat(answers.get(i).get(30, TimeUnit.SECONDS).text()).isEqualTo(alone);
      }
    }
    var calls = metrics.registry().get("aia_batch_requests").tag("kind", "answer").summary();
    assertThat(calls.max()).isEqualTo(8); // 8 requests filled one batch of 8 at once
  }

  /** A seeded question whose answer takes several tokens, so a second request can come mid-answer. */
  static AnswerRequest longAnswer() {
    AnswerRequest longest = null;
    int tokens = 0;
    for (int seed = 0; seed < 40 && tokens < 4; seed++) {
      var sample = TinyModel.DATA.understanding(seed);
      AnswerRequest request = new AnswerRequest(sample.image(), sample.prompt(), 12, new SamplingSettings(1.0, 1.0, 0,
          seed));
      String alone = model.answer(List.of(request)).get(0);
      int words = ServedModel.words(alone);
      if (words > tokens) {
        longest = request;
        tokens = words;
      }
    }
    assertThat(tokens).as("a question with a long answer").isGreaterThanOrEqualTo(3);
    return longest;
  }

  /** Asks {@code first}; when its first token is out, asks a second question; both answers as alone. */
  static void askDuringAnAnswer(Batcher batcher, AnswerRequest first) throws Exception {
    List<CompletableFuture<Answer>> late = new ArrayList<>();
    // The second question is asked when the first answer's first token is out.
    CompletableFuture<Answer> running = batcher.answer(List.of(first), served.answerPromptTokens(first.prompt()),
        List.of(delta -> {
          if (late.isEmpty()) {
            try {
              late.add(ask(batcher, question(5, null)));
            } catch (QueueFullException e) {
              throw new IllegalStateException(e);
            }
          }
        })).get(0);
    assertThat(running.get(30, TimeUnit.SECONDS).text()).isEqualTo(model.answer(List.of(first)).get(0));
    assertThat(late).hasSize(1);
    assertThat(late.get(0).get(30, TimeUnit.SECONDS).text()).isEqualTo(model.answer(List.of(question(5, null))).get(0));
  }

  @Test
  void aRequestJoinsTheRunningAnswersAtTheNextStepAndAnswersAsAlone() throws Exception {
    AnswerRequest first = longAnswer();
    ServerMetrics metrics = new ServerMetrics();
    try (Batcher batcher = new Batcher(served, new BatchSettings(8, 0, 64), metrics)) {
      assertThat(batcher.continuous()).isTrue();
      // The second must join the batch decoding the first, not wait for its end.
      askDuringAnAnswer(batcher, first);
    }
    var steps = metrics.registry().get("aia_batch_rows").tag("kind", "answer").summary();
    assertThat(steps.max()).as("a step decoded both answers").isEqualTo(2);
    assertThat(steps.count()).as("one step per token of the longer answer, about").isGreaterThanOrEqualTo(3);
  }

  @Test
  void withStaticBatchingARequestWaitsForTheRunningBatchToEnd() throws Exception {
    AnswerRequest first = longAnswer();
    ServerMetrics metrics = new ServerMetrics();
    try (Batcher batcher = new Batcher(served, new BatchSettings(8, 0, 64).staticAnswers(), metrics)) {
      assertThat(batcher.continuous()).isFalse();
      askDuringAnAnswer(batcher, first);
    }
    // Two model calls of one answer each: the second question did not join the first's batch.
    var calls = metrics.registry().get("aia_batch_requests").tag("kind", "answer").summary();
    assertThat(calls.count()).isEqualTo(2);
    assertThat(calls.max()).isEqualTo(1);
  }

  @Test
  void batchSizeOneDecodesRequestsOneByOne() throws Exception {
    ServerMetrics metrics = new ServerMetrics();
    try (Batcher batcher = new Batcher(served, new BatchSettings(1, 50, 64), metrics)) {
      List<CompletableFuture<Answer>> answers = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        answers.add(ask(batcher, question(i, null)));
      }
      for (CompletableFuture<Answer> answer : answers) {
        answer.get(30, TimeUnit.SECONDS);
      }
    }
    var calls = metrics.registry().get("aia_batch_requests").tag("kind", "answer").summary();
    assertThat(calls.count()).isEqualTo(4);
    assertThat(calls.max()).isEqualTo(1);
  }

  @Test
  void guidedImagesTakeTwoRowsAndAFullQueueRefuses() throws Exception {
    ServerMetrics metrics = new ServerMetrics();
    // A long delay and a large batch keep what is queued in the queue while the test fills it.
    try (Batcher batcher = new Batcher(served, new BatchSettings(64, 1_000, 6), metrics)) {
      SamplingSettings guided = new SamplingSettings(2.0, 1.0, 0, 1);
      SamplingSettings unguided = new SamplingSettings(1.0, 1.0, 0, 1);
      CompletableFuture<?> first = batcher.generate(new GenerationRequest("a red circle", 2, guided)); // 4 rows
      assertThat(batcher.queuedRows()).isEqualTo(4);
      CompletableFuture<?> second = batcher.generate(new GenerationRequest("a red circle", 2, unguided)); // 2 rows
      assertThat(batcher.queuedRows()).isEqualTo(6);
      assertThatThrownBy(() -> ask(batcher, question(0, null))).isInstanceOf(QueueFullException.class)
          .hasMessageContaining("6 of 6");
      assertThatThrownBy(() -> batcher.generate(new GenerationRequest("a circle", 1, guided)))
          .isInstanceOf(QueueFullException.class);
      first.get(30, TimeUnit.SECONDS);
      second.get(30, TimeUnit.SECONDS);
      assertThat(batcher.queuedRows()).isZero();
      ask(batcher, question(0, null)).get(30, TimeUnit.SECONDS); // room again
    }
    assertThat(metrics.registry().get("aia_rejected").counter().count()).isEqualTo(2);
    var rows = metrics.registry().get("aia_batch_rows").tag("kind", "image").summary();
    assertThat(rows.max()).isEqualTo(6); // both image requests, 4 + 2 rows, in one call
  }

  @Test
  void oneBadRequestFailsAloneAndTheOthersAreAnswered() throws Exception {
    try (Batcher batcher = new Batcher(served, new BatchSettings(8, 1_000, 64), new ServerMetrics())) {
      CompletableFuture<Answer> good = ask(batcher, question(1, null));
      CompletableFuture<Answer> bad = ask(batcher, question(2, "word ".repeat(served.maxLength())));
      CompletableFuture<Answer> alsoGood = ask(batcher, question(3, null));
      assertThat(good.get(30, TimeUnit.SECONDS).text()).isEqualTo(model.answer(List.of(question(1, null))).get(0));
      assertThat(alsoGood.get(30, TimeUnit.SECONDS).text()).isEqualTo(model.answer(List.of(question(3, null))).get(0));
      assertThatThrownBy(() -> bad.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("maxLength");
    }
  }

  @Test
  void shutdownFinishesQueuedRequestsAndRefusesNewOnes() throws Exception {
    Batcher batcher = new Batcher(served, new BatchSettings(2, 500, 64), new ServerMetrics());
    List<CompletableFuture<Answer>> answers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      answers.add(ask(batcher, question(i, null)));
    }
    batcher.shutdown();
    assertThatThrownBy(() -> ask(batcher, question(0, null))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("shutting down");
    for (CompletableFuture<Answer> answer : answers) {
      assertThat(answer.get(30, TimeUnit.SECONDS).text()).isNotNull();
    }
    assertThat(batcher.awaitTermination(java.time.Duration.ofSeconds(10))).isTrue();
  }

  @Test
  void streamedTokensAddUpToTheAnswer() throws Exception {
    try (Batcher batcher = new Batcher(served, new BatchSettings(4, 0, 64), new ServerMetrics())) {
      StringBuilder streamed = new StringBuilder();
      AnswerRequest request = new AnswerRequest(TinyModel.DATA.understanding(7).image(),
          TinyModel.DATA.understanding(7).prompt(), 16, new SamplingSettings(1.0, 1.0, 0, 5));
      Answer answer = batcher.answer(List.of(request), served.answerPromptTokens(request.prompt()),
          List.of(streamed::append)).get(0).get(30, TimeUnit.SECONDS);
      assertThat(streamed.toString()).isEqualTo(answer.text());
      assertThat(answer.text()).isEqualTo(model.answer(List.of(request)).get(0));
    }
  }
}
