package org.aia4j.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.aia4j.api.benchmark.ProgressListener;

/** Terminal progress bars for long work, fed through the api's {@link ProgressListener}. */
final class ProgressBars {
  private ProgressBars() {}

  /** A bar on stderr; close it when the work ends. */
  static ProgressBar create(String task, long total) {
    return new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(250).showSpeed().build();
  }

  /** A listener that moves {@code bar} to the reported position and shows the message. */
  static ProgressListener listener(ProgressBar bar) {
    return (done, total, message) -> {
      if (bar.getMax() != total) {
        bar.maxHint(total);
      }
      bar.stepTo(done);
      bar.setExtraMessage(" " + message);
    };
  }
}
