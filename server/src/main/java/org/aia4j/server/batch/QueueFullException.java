package org.aia4j.server.batch;

/** The batcher's queue cannot take a request's rows now; the client should retry later (HTTP 429). */
public final class QueueFullException extends Exception {
  private final int queuedRows;
  private final int capacity;

  QueueFullException(int rows, int queuedRows, int capacity) {
    super("The server is busy: " + queuedRows + " of " + capacity + " queued decode rows are taken and this request needs "
        + rows + "; retry later");
    this.queuedRows = queuedRows;
    this.capacity = capacity;
  }

  /** @return rows waiting when the request was refused */
  public int queuedRows() {
    return queuedRows;
  }

  /** @return the queue's capacity in rows */
  public int capacity() {
    return capacity;
  }
}
