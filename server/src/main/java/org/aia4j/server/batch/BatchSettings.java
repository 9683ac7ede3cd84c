package org.aia4j.server.batch;

/**
 * How the {@link Batcher} groups requests. Capacities count decode rows, not requests: an answer
 * is one row, an image drawn with classifier-free guidance two (its conditional and
 * unconditional rows decode side by side), without guidance one.
 *
 * @param batchSize most rows one model call decodes; 1 turns batching off. A single request with
 *     more rows still runs, alone
 * @param maxBatchDelayMs how long a batch may wait to fill, counted from when the worker is free
 *     or its oldest request came, whichever is later; a full batch runs at once
 * @param queueSize most rows waiting; beyond it requests are refused (HTTP 429) instead of queued
 * @param continuous whether answers are batched continuously (they join the running decode
 *     between steps and leave when done) where the model can, or statically (a batch of answers
 *     is prefilled together and decodes until its longest ends). Continuous batching wins when
 *     answers are long and of mixed lengths; with short answers behind long prompts the prefills
 *     of newcomers interleave with every running row's steps, and static batches can give both
 *     more throughput and a shorter tail
 */
public record BatchSettings(int batchSize, long maxBatchDelayMs, int queueSize, boolean continuous) {

  // Validates the settings; each violation names the option.
  public BatchSettings {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch-size must be >= 1 (1 = no batching), got " + batchSize);
    }
    if (maxBatchDelayMs < 0) {
      throw new IllegalArgumentException("max-batch-delay-ms must be >= 0, got " + maxBatchDelayMs);
    }
    if (queueSize < 1) {
      throw new IllegalArgumentException("queue-size must be >= 1, got " + queueSize);
    }
  }

  /** Continuous batching where the model can ({@link #continuous}). */
  public BatchSettings(int batchSize, long maxBatchDelayMs, int queueSize) {
    this(batchSize, maxBatchDelayMs, queueSize, true);
  }

  /** @return these settings with answers batched statically instead ({@link #continuous} false) */
  public BatchSettings staticAnswers() {
    return new BatchSettings(batchSize, maxBatchDelayMs, queueSize, false);
  }

  /** @return batches of up to 32 rows, 10 ms to fill them, 256 rows waiting at most, continuous answers */
  public static BatchSettings defaults() {
    return new BatchSettings(32, 10, 256);
  }
}
