package org.aia4j.server.batch;

import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.aia4j.api.model.AnswerRequest;
import org.aia4j.api.model.GenerationRequest;
import org.aia4j.api.model.RollingBatch;
import org.aia4j.api.model.RowListener;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.api.model.TextCompletion;
import org.aia4j.api.model.TokenListener;
import org.aia4j.api.model.UnifiedModel;
import org.aia4j.server.ServedModel;
import org.aia4j.server.metrics.ServerMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that calls the model (models are not thread-safe). Requests wait in a bounded
 * queue and are decoded in batches of up to {@link BatchSettings#batchSize()} rows.
 *
 * <p>Answers (questions about images, and text chat through a model's chat template) are batched
 * continuously when the model opens a {@link RollingBatch} ({@link UnifiedModel#rollingBatch()}):
 * between two decode steps, queued answers join the running batch (their prefill folded into the
 * step) as long as it has free rows, and a finished answer leaves at once, so its row is taken by
 * the next request instead of idling until the batch's longest answer is done. Images, and the
 * answers of a model without a rolling batch, are batched call by call: once the worker is free
 * the oldest request lets up to {@link BatchSettings#maxBatchDelayMs()} pass for more of its kind
 * to join it, then they decode in one model call. An image waits for the running answers no
 * longer than that delay: the answers then pause for its call. Callers get a {@link
 * CompletableFuture} completed on the worker thread, so nothing that submits ever blocks; only
 * {@link #answerWhenRoom} and {@link #generateWhenRoom}, for evaluation jobs on their own thread,
 * wait for room.
 *
 * <p>A caller whose client has gone cancels the futures it got ({@link CompletableFuture#cancel}):
 * a cancelled request still waiting leaves the queue and is never run; a cancelled answer being
 * decoded stops at its next token and its row leaves the batch.
 *
 * <p>A request that does not fit the model (an {@link IllegalArgumentException}) fails alone: a
 * rolling batch refuses it when it joins; a batched call that fails on one is retried request by
 * request. {@link #shutdown()} refuses new requests and lets the worker finish those queued and
 * decoding.
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
  /** The model's continuous batch, or null: batching is off, or the model has none. */
  private final RollingBatch rolling;
  /** The requests in {@link #rolling}; only the worker touches it. */
  private final Set<Job> rollingJobs = new LinkedHashSet<>();
  /** Tokens reported in the current step, for the metrics; only the worker touches it. */
  private int stepTokens;
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
    // Batch size 1 means batching off: one request at a time, call by call.
    this.rolling = settings.batchSize() > 1 && settings.continuous()
        ? served.model().rollingBatch().orElse(null) : null;
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

  /**
   * Queues the choices of a text continuation, all or none: choice {@code i} is decoded with
   * {@code choices.get(i)} (its own seed). The answers' text is the continuation without the stop
   * id, stripped, as a chat reply shows it.
   *
   * @param prompt the ids the model reads (a conversation through its chat template)
   * @param maxTokens the most ids per choice
   * @param choices per choice, its sampling
   * @param text the model's continuation: its decoder and stop id
   * @param sinks per choice, told its text as it is decoded
   * @return per choice, its answer, completed on the worker thread
   * @throws QueueFullException if the queue has no room for them now
   * @throws IllegalStateException if the batcher is shutting down
   */
  public List<CompletableFuture<Answer>> complete(int[] prompt, int maxTokens, List<SamplingSettings> choices,
      TextCompletion text, List<TokenSink> sinks) throws QueueFullException {
    if (choices.size() != sinks.size()) {
      throw new IllegalArgumentException("one sink per choice: " + choices.size() + " choices, " + sinks.size()
          + " sinks");
    }
    List<Job> jobs = new ArrayList<>();
    List<CompletableFuture<Answer>> results = new ArrayList<>();
    for (int i = 0; i < choices.size(); i++) {
      TextJob job = new TextJob(prompt, maxTokens, choices.get(i), text, sinks.get(i));
      jobs.add(job);
      results.add(job.result);
    }
    offer(jobs);
    return results;
  }

  /** @return whether answers are batched continuously (the model has a rolling batch and batching is on) */
  public boolean continuous() {
    return rolling != null;
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

  /** What the worker does next: a batched call, or one step of the rolling batch after these join. */
  private record Work(List<Job> call, List<Job> joining) {
    static Work call(List<Job> jobs) {
      return new Work(jobs, null);
    }

    static Work step(List<Job> joining) {
      return new Work(null, joining);
    }
  }

  private void work() {
    try {
      while (true) {
        Work work;
        try {
          work = nextWork();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          IllegalStateException stopped = new IllegalStateException("The server stopped");
          failQueued(stopped);
          rollingJobs.forEach(job -> job.fail(stopped));
          return;
        }
        if (work == null) {
          return;
        }
        if (work.call() != null) {
          runCall(work.call());
        } else {
          work.joining().forEach(this::join);
          step();
        }
      }
    } finally {
      if (rolling != null) {
        rolling.close();
      }
    }
  }

  private void runCall(List<Job> batch) {
    try {
      if (batch.get(0) instanceof ImageJob) {
        runImages(cast(batch));
      } else if (batch.get(0) instanceof AnswerJob) {
        runAnswers(cast(batch));
      } else {
        batch.forEach(job -> runText((TextJob) job));
      }
    } catch (RuntimeException | Error e) {
      LOG.error("Batch failed", e);
      batch.forEach(job -> job.fail(e));
    } finally {
      lock.lock();
      try {
        runningRequests = rollingJobs.size();
        freeSince = System.nanoTime();
      } finally {
        lock.unlock();
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static <T extends Job> List<T> cast(List<Job> batch) {
    return (List<T>) batch;
  }

  /** Waits for the next work; null once shut down with nothing queued or decoding. */
  private Work nextWork() throws InterruptedException {
    lock.lock();
    try {
      while (true) {
        boolean decoding = !rollingJobs.isEmpty();
        if (!decoding) {
          List<Job> batch = formBatch(); // empty when the requests it waited for were cancelled meanwhile
          if (batch == null) {
            return null;
          }
          if (!batch.isEmpty()) {
            return joinable(batch.get(0)) ? Work.step(batch) : Work.call(batch);
          }
          continue;
        }
        // Answers are decoding: an image that has waited the batch delay runs now, the answers
        // pausing for its call; else the queued answers that fit join at the next step.
        long delay = TimeUnit.MILLISECONDS.toNanos(settings.maxBatchDelayMs());
        long now = System.nanoTime();
        for (Job job : queue) {
          if (job instanceof ImageJob && !job.future().isCancelled() && now - job.enqueued >= delay) {
            return Work.call(take(ImageJob.class));
          }
        }
        int free = settings.batchSize() - rolling.size();
        return Work.step(joinDue(free, now, delay) ? takeJoinable(free) : List.of());
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Whether the queued answers join at this step: once they fill a quarter of the batch (or all the
   * room left), or once the oldest has waited the batch delay. A join prefills its newcomers in one
   * run, and a prefill of a few rows costs nearly what a prefill of many does, so newcomers that
   * came a step apart go in together rather than one run each. Holds the lock.
   */
  private boolean joinDue(int free, long now, long delay) {
    if (free <= 0) {
      return false;
    }
    int rows = 0;
    long oldest = now;
    for (Job job : queue) {
      if (joinable(job) && !job.future().isCancelled()) {
        rows += job.rows;
        oldest = Math.min(oldest, job.enqueued);
      }
    }
    return rows > 0 && (rows >= Math.min(free, Math.max(1, settings.batchSize() / 4)) || now - oldest >= delay);
  }

  /** Whether the job decodes in the rolling batch. */
  private boolean joinable(Job job) {
    return rolling != null && !(job instanceof ImageJob);
  }

  /** The kind of batch a job goes in: the rolling batch's rows, or its own class. Holds the lock. */
  private Object kind(Job job) {
    return joinable(job) ? RollingBatch.class : job.getClass();
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
    Object kind = kind(oldest);
    // The delay counts from when the worker became free or the oldest request came, whichever is
    // later: requests that queued during the last model call still wait for the clients that call
    // just answered, so batches do not split into halves that take turns.
    long deadline = Math.max(oldest.enqueued, freeSince) + TimeUnit.MILLISECONDS.toNanos(settings.maxBatchDelayMs());
    while (!closing && rowsOfKind(kind) < settings.batchSize()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      arrived.awaitNanos(left);
    }
    return takeOfKind(kind, settings.batchSize());
  }

  private List<Job> take(Class<? extends Job> kind) {
    return takeOfKind(kind, settings.batchSize());
  }

  private List<Job> takeJoinable(int free) {
    return free <= 0 ? List.of() : takeOfKind(RollingBatch.class, free);
  }

  /**
   * Takes queued jobs of a kind, oldest first, up to {@code free} rows (at least one job when
   * nothing decodes, however many rows it has), dropping cancelled jobs on the way. Holds the lock.
   */
  private List<Job> takeOfKind(Object kind, int free) {
    List<Job> batch = new ArrayList<>();
    int rows = 0;
    for (Iterator<Job> it = queue.iterator(); it.hasNext(); ) {
      Job job = it.next();
      if (job.future().isCancelled()) {
        it.remove(); // its client went while the batch was formed
        queuedRows -= job.rows;
        continue;
      }
      if (!kind(job).equals(kind)) {
        continue;
      }
      if (rows + job.rows > free && (!batch.isEmpty() || kind == RollingBatch.class && !rollingJobs.isEmpty())) {
        continue;
      }
      batch.add(job);
      rows += job.rows;
      it.remove();
    }
    queuedRows -= rows;
    if (kind != RollingBatch.class) {
      runningRequests = batch.size();
    }
    room.signalAll();
    long now = System.nanoTime();
    for (Job job : batch) {
      metrics.queueWait((now - job.enqueued) / 1e9);
    }
    return batch;
  }

  private int rowsOfKind(Object kind) {
    int rows = 0;
    for (Job job : queue) {
      if (kind(job).equals(kind)) {
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

  // ---------------------------------------------------------------- continuous batching

  /** Adds a job to the rolling batch; a request that does not fit fails alone. */
  private void join(Job job) {
    Row row = new Row(job);
    try {
      if (job instanceof AnswerJob answer) {
        rolling.addAnswer(answer.request, row);
      } else {
        TextJob text = (TextJob) job;
        rolling.addText(text.prompt, text.maxTokens, text.sampling, text.text.stop(), row);
      }
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      job.fail(e);
      return;
    }
    rollingJobs.add(job);
  }

  /** One step of the rolling batch; a failing engine fails the requests in it. */
  private void step() {
    if (rolling.size() == 0) {
      rollingJobs.clear();
      return;
    }
    int rows = rolling.size();
    stepTokens = 0;
    long start = System.nanoTime();
    try {
      rolling.step();
    } catch (RuntimeException | Error e) {
      LOG.error("Decode step failed", e);
      rollingJobs.forEach(job -> job.fail(e));
      rollingJobs.clear();
    }
    metrics.batch("answer", rows, rows, (System.nanoTime() - start) / 1e9, stepTokens);
    lock.lock();
    try {
      runningRequests = rollingJobs.size();
      if (rollingJobs.isEmpty()) {
        freeSince = System.nanoTime();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Follows one job's row in the rolling batch: streams its text and completes it when it ends. */
  private final class Row implements RowListener {
    private final Job job;
    private final Stream stream;

    Row(Job job) {
      this.job = job;
      this.stream = job instanceof TextJob text ? new Stream(text.sink, ids -> text.text.decode(ids).stripLeading())
          : new Stream(((AnswerJob) job).sink, served::decode);
    }

    @Override
    public void onToken(int id) {
      stepTokens++;
      stream.token(id);
    }

    @Override
    public boolean stopped() {
      return job.future().isCancelled(); // the client has gone; its row leaves the batch
    }

    @Override
    public void finished(int[] ids, String text, int budget) {
      rollingJobs.remove(job);
      if (job instanceof TextJob textJob) {
        String reply = text.strip();
        stream.finish(reply);
        textJob.result.complete(new Answer(reply, textJob.prompt.length, ids.length, textJob.maxTokens));
        return;
      }
      AnswerJob answer = (AnswerJob) job;
      stream.finish(text);
      int completion = served.known() ? ids.length : ServedModel.words(text);
      answer.result.complete(new Answer(text, answer.promptTokens, completion, budget));
    }
  }

  // ---------------------------------------------------------------- batched calls

  private void runAnswers(List<AnswerJob> jobs) {
    List<AnswerRequest> requests = jobs.stream().map(job -> job.request).toList();
    Stream[] streams = new Stream[jobs.size()];
    for (int i = 0; i < streams.length; i++) {
      streams[i] = new Stream(jobs.get(i).sink, served::decode);
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

  /** A continuation alone, through the model's batch call (a model without a rolling batch). */
  private void runText(TextJob job) {
    long start = System.nanoTime();
    int[] ids;
    try {
      ids = job.text.complete(new int[][] {job.prompt}, job.maxTokens, job.sampling, true)[0];
    } catch (IllegalArgumentException e) {
      job.fail(e);
      return;
    }
    int[] reply = TextCompletion.withoutStop(ids, job.text.stop());
    String text = job.text.decode(reply).strip();
    new Stream(job.sink, r -> text).finish(text); // decoded in one go: the whole text in one delta
    metrics.batch("answer", 1, 1, (System.nanoTime() - start) / 1e9, reply.length);
    job.result.complete(new Answer(text, job.prompt.length, reply.length, job.maxTokens));
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
  private static final class Stream {
    private final TokenSink sink;
    private final Function<int[], String> decode;
    private final List<Integer> ids = new ArrayList<>();
    private String emitted = "";
    int tokens;

    Stream(TokenSink sink, Function<int[], String> decode) {
      this.sink = sink;
      this.decode = decode;
    }

    void token(int id) {
      tokens++;
      if (sink == NO_SINK) {
        return; // nobody listens: count only
      }
      ids.add(id);
      String text = decode.apply(ids.stream().mapToInt(Integer::intValue).toArray());
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

  /** One choice of a text continuation (a chat reply through the model's template). */
  private static final class TextJob extends Job {
    final int[] prompt;
    final int maxTokens;
    final SamplingSettings sampling;
    final TextCompletion text;
    final TokenSink sink;
    final CompletableFuture<Answer> result = new CompletableFuture<>();

    TextJob(int[] prompt, int maxTokens, SamplingSettings sampling, TextCompletion text, TokenSink sink) {
      super(1);
      this.prompt = prompt.clone();
      this.maxTokens = maxTokens;
      this.sampling = Objects.requireNonNull(sampling, "sampling");
      this.text = Objects.requireNonNull(text, "text");
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
