package org.aia4j.server.batch;

/** Receives an answer's text as it is decoded; called on the batcher's thread, so it must only hand off. */
@FunctionalInterface
public interface TokenSink {
  /** @param delta the text this token adds to the answer so far */
  void onText(String delta);

  /** A sink that drops everything; the batcher skips decoding text for it. */
  TokenSink NONE = delta -> {};

  /** @return {@link #NONE} */
  static TokenSink none() {
    return NONE;
  }
}
