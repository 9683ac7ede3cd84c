package org.aia4j.server;

/**
 * How long finished evaluation jobs are kept: a job is forgotten, and its output directory
 * removed, once more than {@code maxFinished} newer jobs have finished or once it finished more
 * than {@code maxAgeMs} ago. Queued and running jobs are never removed by retention.
 *
 * @param maxFinished most finished jobs kept
 * @param maxAgeMs how long a finished job is kept
 */
public record JobRetention(int maxFinished, long maxAgeMs) {

  // Validates the policy; each violation names the option.
  public JobRetention {
    if (maxFinished < 0) {
      throw new IllegalArgumentException("keep-evaluations must be >= 0, got " + maxFinished);
    }
    if (maxAgeMs < 1) {
      throw new IllegalArgumentException("evaluation-max-age-hours must be > 0, got a max age of (ms) " + maxAgeMs);
    }
  }

  /** @return 32 finished jobs, for at most 24 hours */
  public static JobRetention defaults() {
    return new JobRetention(32, 24L * 3600 * 1000);
  }
}
