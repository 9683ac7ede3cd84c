package org.aia4j.server;

/**
 * What one client connection may hold of the server, so that stalled, slow or numerous
 * connections cannot exhaust it. Timeouts close the connection; the cap and the body budget
 * refuse new work early, before a body is buffered.
 *
 * @param idleTimeoutMs a kept-alive connection whose responses are all sent is closed unless the
 *     head of its next request is complete within this long
 * @param headerTimeoutMs a new connection is closed unless its first request head (request line
 *     and headers) is complete within this long: connections that send nothing, or their headers
 *     a byte at a time, are cut here
 * @param bodyTimeoutMs a request's whole body must arrive within this long of its head
 * @param maxConnections most open connections; more are closed as soon as they are accepted
 * @param bodyMemoryBytes most request-body bytes held at once, over all requests (counted from
 *     {@code Content-Length} before any byte is read, or as chunks arrive); a request that does
 *     not fit gets 429
 * @param decodeThreads threads that parse request bodies and decode their images; more requests
 *     wait for one instead of taking more CPU
 */
public record ConnectionLimits(long idleTimeoutMs, long headerTimeoutMs, long bodyTimeoutMs, int maxConnections,
    long bodyMemoryBytes, int decodeThreads) {

  // Validates the limits; each violation names the option.
  public ConnectionLimits {
    positive("idle-timeout-ms", idleTimeoutMs);
    positive("header-timeout-ms", headerTimeoutMs);
    positive("body-timeout-ms", bodyTimeoutMs);
    positive("max-connections", maxConnections);
    if (bodyMemoryBytes < 1024) {
      throw new IllegalArgumentException("body-memory-mb must give at least 1024 bytes, got " + bodyMemoryBytes);
    }
    positive("decode-threads", decodeThreads);
  }

  private static void positive(String option, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(option + " must be >= 1, got " + value);
    }
  }

  /**
   * @return 60 s idle, 10 s for a first request head, 60 s for a body, 1024 connections, 256 MiB of
   *     bodies, and half the cores (at least one, at most four) decoding
   */
  public static ConnectionLimits defaults() {
    return new ConnectionLimits(60_000, 10_000, 60_000, 1024, 256L * 1024 * 1024, defaultDecodeThreads());
  }

  /** @return half the cores, at least one and at most four: the batcher needs the others */
  public static int defaultDecodeThreads() {
    return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
  }

  /** @return these limits with other timeouts */
  public ConnectionLimits withTimeouts(long idleMs, long headerMs, long bodyMs) {
    return new ConnectionLimits(idleMs, headerMs, bodyMs, maxConnections, bodyMemoryBytes, decodeThreads);
  }

  /** @return these limits with another connection cap */
  public ConnectionLimits withMaxConnections(int max) {
    return new ConnectionLimits(idleTimeoutMs, headerTimeoutMs, bodyTimeoutMs, max, bodyMemoryBytes, decodeThreads);
  }

  /** @return these limits with another budget for bodies held at once */
  public ConnectionLimits withBodyMemory(long bytes) {
    return new ConnectionLimits(idleTimeoutMs, headerTimeoutMs, bodyTimeoutMs, maxConnections, bytes, decodeThreads);
  }
}
