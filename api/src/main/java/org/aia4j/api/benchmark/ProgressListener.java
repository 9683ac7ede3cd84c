package org.aia4j.api.benchmark;

/**
 * Told how far a long run has got, so the CLI can draw a progress bar and the server can report
 * status without the benchmark knowing either. Called from the benchmark's thread; must be quick.
 */
@FunctionalInterface
public interface ProgressListener {

  /**
   * @param done items finished so far
   * @param total items in this run
   * @param message what is happening, e.g. {@code generating}; may be empty
   */
  void onProgress(long done, long total, String message);

  /** @return a listener that ignores progress */
  static ProgressListener none() {
    return (done, total, message) -> {};
  }
}
