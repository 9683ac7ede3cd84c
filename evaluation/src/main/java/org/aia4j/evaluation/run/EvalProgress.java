package org.aia4j.evaluation.run;

import org.aia4j.api.benchmark.ProgressListener;

/**
 * Told how an evaluation run goes, so that the CLI can draw progress bars and print scores and
 * the server can report a job's status, without {@link Evaluation} knowing either. Called on the
 * run's thread; must be quick.
 */
public interface EvalProgress {
  /**
   * A suite starts.
   *
   * @param benchmark its name
   * @param items how many of its items this run scores
   * @param size how many items the whole suite has
   * @return told after each of its batches, until {@link #suiteFinished}
   */
  ProgressListener suiteStarted(String benchmark, int items, int size);

  /**
   * A suite has its scores. Also called, with a null result, when it failed, so that what {@link
   * #suiteStarted} opened can be closed.
   *
   * @param benchmark its name
   * @param result its scores, or null if it failed
   * @param seconds how long it ran
   */
  void suiteFinished(String benchmark, EvalSummary.SuiteResult result, double seconds);

  /**
   * Something the run skipped, e.g. an interaction curve the model cannot measure.
   *
   * @param message one line
   */
  void note(String message);

  /** @return progress that nobody hears */
  static EvalProgress none() {
    return new EvalProgress() {
      @Override
      public ProgressListener suiteStarted(String benchmark, int items, int size) {
        return ProgressListener.none();
      }

      @Override
      public void suiteFinished(String benchmark, EvalSummary.SuiteResult result, double seconds) {}

      @Override
      public void note(String message) {}
    };
  }
}
