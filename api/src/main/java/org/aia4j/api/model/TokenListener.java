package org.aia4j.api.model;

/**
 * Told each answer token as soon as it is decoded, e.g. to stream answers to a client, and asked
 * whether a request should stop (its client has gone). Passed to {@link
 * UnifiedModel#answer(java.util.List, TokenListener)}; called on the decoding thread, so both
 * methods must be quick.
 */
public interface TokenListener {

  /**
   * @param request the request's index in the batch
   * @param textId the token's id in the model's text tokenizer ({@link UnifiedModel#textTokenizer()})
   */
  void onToken(int request, int textId);

  /**
   * Asked before each decode step for every unfinished request: true stops it, its row then leaves
   * the batch like a finished one, and its answer is the text decoded so far.
   *
   * @param request the request's index in the batch
   * @return true to stop decoding it
   */
  default boolean stopped(int request) {
    return false;
  }
}
