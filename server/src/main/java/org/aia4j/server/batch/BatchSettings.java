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
 */
public record BatchSettings(int batchSize, long maxBatchDelayMs, int queueSize) {

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

  /** @return batches of up to 32 rows, 10 ms to fill them, 256 rows waiting at most */
  public static BatchSettings defaults() {
    return new BatchSettings(32, 10, 256);
  }
}
