package org.aia4j.server.batch;

/** Receives an answer's text as it is decoded; called on the batcher's thread, so it must only hand off. */
@FunctionalInterface
public interface TokenSink {
  /** @param delta the text this token adds to the answer so far */
  void onText(String delta);

  /** @return a sink that drops everything */
  static TokenSink none() {
    return delta -> {};
  }
}
