package org.aia4j.server.batch;

import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.aia4j.api.model.AnswerRequest;
import org.aia4j.api.model.GenerationRequest;
import org.aia4j.api.model.TokenListener;
import org.aia4j.server.ServedModel;
import org.aia4j.server.metrics.ServerMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that calls the model (models are not thread-safe). Requests wait in a bounded
 * queue; the worker takes the oldest and, once it is free, lets up to {@link
 * BatchSettings#maxBatchDelayMs()} pass for more of the same kind (answers or images) to join it,
 * up to {@link BatchSettings#batchSize()} rows, then decodes them in one model call. Callers get a {@link CompletableFuture} completed on
 * the worker thread, so nothing that submits ever blocks; only {@link #answerWhenRoom} and
 * {@link #generateWhenRoom}, for evaluation jobs on their own thread, wait for room.
 *
 * <p>A caller whose client has gone cancels the futures it got ({@link CompletableFuture#cancel}):
 * a cancelled request still waiting leaves the queue and is never run; a cancelled answer being
 * decoded stops at its next token and its row leaves the batch.
 *
 * <p>If a batched call fails on bad input (an {@link IllegalArgumentException}), each request of
 * the batch is retried alone, so one bad request fails alone. {@link #shutdown()} refuses new
 * requests and lets the worker finish those queued.
 */
public final class Batcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Batcher.class);

  private final ServedModel served;
  private final BatchSettings settings;
  private final ServerMetrics metrics;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final Condition room = lock.newCondition();
  private final ArrayDeque<Job> queue = new ArrayDeque<>();
  private final Thread worker;
  private int queuedRows;
  private int runningRequests;
  private long freeSince = System.nanoTime();
  private boolean closing;

  /**
   * Starts the worker thread.
   *
   * @param served the model; only this batcher's thread calls it
   * @param settings batch size, delay and queue capacity
   * @param metrics where batch sizes, queue depth and tokens go
   */
  public Batcher(ServedModel served, BatchSettings settings, ServerMetrics metrics) {
    this.served = Objects.requireNonNull(served, "served");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.worker = new Thread(this::work, "aia-batcher");
    this.worker.setDaemon(true);
    this.worker.start();
  }

  /** @return decode rows one generation request takes: two per image with guidance, one without */
  public static int rows(GenerationRequest request) {
    return request.samples() * (request.sampling().cfgWeight() != 1.0 ? 2 : 1);
  }

  /** @return the settings */
  public BatchSettings settings() {
    return settings;
  }

  /**
   * Queues questions, all or none: {@code n} choices of one chat request are {@code n} questions.
   *
   * @param requests the questions
   * @param promptTokens tokens the model reads for each, for usage counts
   * @param sinks per question, told its answer's text as it is decoded
   * @return per question, its answer, completed on the worker thread
   * @throws QueueFullException if the queue has no room for them now
   * @throws IllegalStateException if the batcher is shutting down
   */
  public List<CompletableFuture<Answer>> answer(List<AnswerRequest> requests, int promptTokens, List<TokenSink> sinks)
      throws QueueFullException {
    if (requests.size() != sinks.size()) {
      throw new IllegalArgumentException("one sink per request: " + requests.size() + " requests, " + sinks.size()
          + " sinks");
    }
    List<Job> jobs = new ArrayList<>();
    List<CompletableFuture<Answer>> results = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      AnswerJob job = new AnswerJob(requests.get(i), promptTokens, sinks.get(i));
      jobs.add(job);
      results.add(job.result);
    }
    offer(jobs);
    return results;
  }

  /**
   * Queues an image request.
   *
   * @return the request's images, completed on the worker thread
   * @throws QueueFullException if the queue has no room for its rows now
   * @throws IllegalStateException if the batcher is shutting down
   */
  public CompletableFuture<List<BufferedImage>> generate(GenerationRequest request) throws QueueFullException {
    ImageJob job = new ImageJob(request);
    offer(List.of(job));
    return job.result;
  }

  /** {@link #answer}, waiting (on the caller's thread) for room instead of refusing. */
  public CompletableFuture<Answer> answerWhenRoom(AnswerRequest request, int promptTokens) throws InterruptedException {
    AnswerJob job = new AnswerJob(request, promptTokens, TokenSink.none());
    offerWaiting(job);
    return job.result;
  }

  /** {@link #generate}, waiting (on the caller's thread) for room instead of refusing. */
  public CompletableFuture<List<BufferedImage>> generateWhenRoom(GenerationRequest request) throws InterruptedException {
    ImageJob job = new ImageJob(request);
    offerWaiting(job);
    return job.result;
  }

  /** @return decode rows waiting */
  public int queuedRows() {
    lock.lock();
    try {
      return queuedRows;
    } finally {
      lock.unlock();
    }
  }

  /** @return requests waiting */
  public int queuedRequests() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /** @return requests in the model call now */
  public int runningRequests() {
    lock.lock();
    try {
      return runningRequests;
    } finally {
      lock.unlock();
    }
  }

  /** Refuses new requests; the worker finishes the queued ones, then stops. */
  public void shutdown() {
    lock.lock();
    try {
      closing = true;
      arrived.signalAll();
      room.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** @return true if the worker finished within {@code timeout} */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    worker.join(Math.max(1, timeout.toMillis()));
    return !worker.isAlive();
  }

  /** Shuts down and waits for queued requests to finish. */
  @Override
  public void close() {
    shutdown();
    try {
      awaitTermination(Duration.ofMinutes(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void offer(List<Job> jobs) throws QueueFullException {
    int rows = jobs.stream().mapToInt(job -> job.rows).sum();
    lock.lock();
    try {
      if (closing) {
        throw new IllegalStateException("The server is shutting down");
      }
      // A request larger than the whole queue is admitted only into an empty queue.
      boolean fits = queuedRows + rows <= settings.queueSize() || queuedRows == 0;
      if (!fits) {
        metrics.rejected();
        throw new QueueFullException(rows, queuedRows, settings.queueSize());
      }
      jobs.forEach(this::enqueue);
    } finally {
      lock.unlock();
    }
  }

  private void offerWaiting(Job job) throws InterruptedException {
    lock.lock();
    try {
      while (!closing && queuedRows > 0 && queuedRows + job.rows > settings.queueSize()) {
        room.await();
      }
      if (closing) {
        throw new IllegalStateException("The server is shutting down");
      }
      enqueue(job);
    } finally {
      lock.unlock();
    }
  }

  private void enqueue(Job job) {
    queue.addLast(job);
    queuedRows += job.rows;
    arrived.signalAll();
    // A request cancelled while it waits (its client has gone) leaves the queue at once, so it
    // is never run and its rows are free for others.
    job.future().whenComplete((result, failure) -> {
      if (failure instanceof CancellationException) {
        dequeue(job);
      }
    });
  }

  private void dequeue(Job job) {
    lock.lock();
    try {
      if (queue.remove(job)) {
        queuedRows -= job.rows;
        metrics.cancelled();
        room.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- the worker

  private void work() {
    while (true) {
      List<Job> batch;
      try {
        batch = nextBatch();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failQueued(new IllegalStateException("The server stopped"));
        return;
      }
      if (batch == null) {
        return;
      }
      try {
        if (batch.get(0) instanceof AnswerJob) {
          runAnswers(cast(batch));
        } else {
          runImages(cast(batch));
        }
      } catch (RuntimeException | Error e) {
        LOG.error("Batch failed", e);
        batch.forEach(job -> job.fail(e));
      } finally {
        lock.lock();
        try {
          runningRequests = 0;
          freeSince = System.nanoTime();
        } finally {
          lock.unlock();
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static <T extends Job> List<T> cast(List<Job> batch) {
    return (List<T>) batch;
  }

  /** Waits for the next batch; null once shut down with nothing left. */
  private List<Job> nextBatch() throws InterruptedException {
    lock.lock();
    try {
      List<Job> batch;
      do {
        batch = formBatch(); // empty when the requests it waited for were cancelled meanwhile
        if (batch == null) {
          return null;
        }
      } while (batch.isEmpty());
      return batch;
    } finally {
      lock.unlock();
    }
  }

  /** Waits for requests and takes a batch of them; null once shut down with nothing left. Holds the lock. */
  private List<Job> formBatch() throws InterruptedException {
    while (queue.isEmpty()) {
      if (closing) {
        return null;
      }
      arrived.await();
    }
    Job oldest = queue.peekFirst();
    // The delay counts from when the worker became free or the oldest request came, whichever is
    // later: requests that queued during the last model call still wait for the clients that call
    // just answered, so batches do not split into halves that take turns.
    long deadline = Math.max(oldest.enqueued, freeSince) + TimeUnit.MILLISECONDS.toNanos(settings.maxBatchDelayMs());
    while (!closing && rowsOfKind(oldest.getClass()) < settings.batchSize()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      arrived.awaitNanos(left);
    }
    List<Job> batch = new ArrayList<>();
    int rows = 0;
    for (Iterator<Job> it = queue.iterator(); it.hasNext(); ) {
      Job job = it.next();
      if (job.future().isCancelled()) {
        it.remove(); // its client went while the batch was formed
        queuedRows -= job.rows;
        continue;
      }
      if (job.getClass() != oldest.getClass()) {
        continue;
      }
      if (!batch.isEmpty() && rows + job.rows > settings.batchSize()) {
        continue;
      }
      batch.add(job);
      rows += job.rows;
      it.remove();
    }
    queuedRows -= rows;
    runningRequests = batch.size();
    room.signalAll();
    long now = System.nanoTime();
    for (Job job : batch) {
      metrics.queueWait((now - job.enqueued) / 1e9);
    }
    return batch;
  }

  private int rowsOfKind(Class<?> kind) {
    int rows = 0;
    for (Job job : queue) {
      if (job.getClass() == kind) {
        rows += job.rows;
      }
    }
    return rows;
  }

  private void failQueued(RuntimeException e) {
    lock.lock();
    try {
      queue.forEach(job -> job.fail(e));
      queue.clear();
      queuedRows = 0;
    } finally {
      lock.unlock();
    }
  }

  private void runAnswers(List<AnswerJob> jobs) {
    List<AnswerRequest> requests = jobs.stream().map(job -> job.request).toList();
    Stream[] streams = new Stream[jobs.size()];
    for (int i = 0; i < streams.length; i++) {
      streams[i] = new Stream(jobs.get(i).sink);
    }
    long start = System.nanoTime();
    List<String> answers;
    try {
      answers = served.model().answer(requests, new TokenListener() {
        @Override
        public void onToken(int request, int textId) {
          streams[request].token(textId);
        }

        @Override
        public boolean stopped(int request) {
          // Cancelled: the client has gone; its row leaves the batch.
          return jobs.get(request).result.isCancelled();
        }
      });
    } catch (IllegalArgumentException e) {
      if (jobs.size() == 1) {
        jobs.get(0).fail(e);
        return;
      }
      jobs.forEach(job -> runAnswers(List.of(job))); // one bad request must not fail the others
      return;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    int tokens = 0;
    for (int i = 0; i < jobs.size(); i++) {
      AnswerJob job = jobs.get(i);
      String text = answers.get(i);
      streams[i].finish(text);
      int completion = served.known() ? streams[i].tokens : ServedModel.words(text);
      int budget = served.known()
          ? Math.min(job.request.maxNewTokens(), served.maxLength() - job.promptTokens + 1)
          : job.request.maxNewTokens();
      tokens += completion;
      job.result.complete(new Answer(text, job.promptTokens, completion, budget));
    }
    metrics.batch("answer", jobs.size(), jobs.size(), seconds, tokens);
  }

  private void runImages(List<ImageJob> jobs) {
    List<GenerationRequest> requests = jobs.stream().map(job -> job.request).toList();
    long start = System.nanoTime();
    List<List<BufferedImage>> images;
    try {
      images = served.model().generate(requests);
    } catch (IllegalArgumentException e) {
      if (jobs.size() == 1) {
        jobs.get(0).fail(e);
        return;
      }
      jobs.forEach(job -> runImages(List.of(job)));
      return;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    int rows = 0;
    int tokens = 0;
    for (int i = 0; i < jobs.size(); i++) {
      rows += jobs.get(i).rows;
      tokens += jobs.get(i).request.samples() * served.tokensPerImage();
      jobs.get(i).result.complete(images.get(i));
    }
    metrics.batch("image", jobs.size(), rows, seconds, tokens);
  }

  private static final TokenSink NO_SINK = TokenSink.none();

  /** An answer's text as decoded so far, handed to its sink as deltas that add up to the answer. */
  private final class Stream {
    private final TokenSink sink;
    private final List<Integer> ids = new ArrayList<>();
    private String emitted = "";
    int tokens;

    Stream(TokenSink sink) {
      this.sink = sink;
    }

    void token(int textId) {
      tokens++;
      if (sink == NO_SINK) {
        return; // nobody listens: count only
      }
      ids.add(textId);
      String text = served.decode(ids.stream().mapToInt(Integer::intValue).toArray());
      if (text.startsWith(emitted) && text.length() > emitted.length()) {
        send(text.substring(emitted.length()));
        emitted = text;
      }
    }

    void finish(String text) {
      if (text.startsWith(emitted) && text.length() > emitted.length()) {
        send(text.substring(emitted.length()));
        emitted = text;
      }
    }

    private void send(String delta) {
      try {
        sink.onText(delta);
      } catch (RuntimeException e) {
        LOG.warn("A token sink failed", e);
      }
    }
  }

  // ---------------------------------------------------------------- jobs

  private abstract static class Job {
    final int rows;
    final long enqueued = System.nanoTime();

    Job(int rows) {
      this.rows = rows;
    }

    abstract void fail(Throwable e);

    abstract CompletableFuture<?> future();
  }

  private static final class AnswerJob extends Job {
    final AnswerRequest request;
    final int promptTokens;
    final TokenSink sink;
    final CompletableFuture<Answer> result = new CompletableFuture<>();

    AnswerJob(AnswerRequest request, int promptTokens, TokenSink sink) {
      super(1);
      this.request = Objects.requireNonNull(request, "request");
      this.promptTokens = promptTokens;
      this.sink = Objects.requireNonNull(sink, "sink");
    }

    @Override
    void fail(Throwable e) {
      result.completeExceptionally(e);
    }

    @Override
    CompletableFuture<?> future() {
      return result;
    }
  }

  private static final class ImageJob extends Job {
    final GenerationRequest request;
    final CompletableFuture<List<BufferedImage>> result = new CompletableFuture<>();

    ImageJob(GenerationRequest request) {
      super(rows(request));
      this.request = Objects.requireNonNull(request, "request");
    }

    @Override
    void fail(Throwable e) {
      result.completeExceptionally(e);
    }

    @Override
    CompletableFuture<?> future() {
      return result;
    }
  }
}
