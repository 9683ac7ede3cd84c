package org.aia4j.server.batch;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.aia4j.api.model.AnswerRequest;
import org.aia4j.api.model.GenerationRequest;
import org.aia4j.api.model.ModelInfo;
import org.aia4j.api.model.UnifiedModel;
import org.aia4j.server.ServedModel;

/**
 * The served model as a benchmark sees it during an evaluation job: each call's requests go
 * through the {@link Batcher}, one by one, so they batch with live traffic and never touch the
 * model from another thread. Calls block the caller (the job's own thread) until answered,
 * waiting for room in the queue rather than being refused. Closing it cancels its requests
 * still queued or being decoded and refuses new ones (a cancelled evaluation stops at once); it
 * does not close the model.
 */
public final class BatchedModel implements UnifiedModel {
  private final ServedModel served;
  private final Batcher batcher;
  private final Set<CompletableFuture<?>> outstanding = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  public BatchedModel(ServedModel served, Batcher batcher) {
    this.served = served;
    this.batcher = batcher;
  }

  @Override
  public String name() {
    return served.model().name();
  }

  @Override
  public ModelInfo info() {
    return served.model().info();
  }

  @Override
  public List<String> answer(List<AnswerRequest> requests) {
    List<CompletableFuture<Answer>> answers = new ArrayList<>();
    for (AnswerRequest request : requests) {
      answers.add(this.<CompletableFuture<Answer>>interruptible(() -> batcher.answerWhenRoom(request, served.answerPromptTokens(request.prompt()))));
    }
    return answers.stream().map(f -> join(f).text()).toList();
  }

  @Override
  public List<List<BufferedImage>> generate(List<GenerationRequest> requests) {
    List<CompletableFuture<List<BufferedImage>>> images = new ArrayList<>();
    for (GenerationRequest request : requests) {
      images.add(this.<CompletableFuture<List<BufferedImage>>>interruptible(() -> batcher.generateWhenRoom(request)));
    }
    return images.stream().map(BatchedModel::join).toList();
  }

  private interface Submission<T> {
    T submit() throws InterruptedException;
  }

  private <T extends CompletableFuture<?>> T interruptible(Submission<T> submission) {
    try {
      if (closed) {
        throw new CancellationException("The evaluation was cancelled");
      }
      T future = submission.submit();
      outstanding.add(future);
      future.whenComplete((v, e) -> outstanding.remove(future));
      if (closed) {
        future.cancel(false);
      }
      return future;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("The evaluation was interrupted");
    }
  }

  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  /** Cancels every request still queued or decoding and refuses new ones; the server owns the model. */
  @Override
  public void close() {
    closed = true;
    outstanding.forEach(future -> future.cancel(false));
  }
}
