package org.aia4j.djl.model;

import java.util.Objects;
import java.util.Optional;
import org.aia4j.api.model.Task;

/**
 * How a {@link UnifiedTransformer} forward pass runs: inside a gradient collector or not, what it
 * keeps of each layer's attention, and which task's branch it takes. Start from {@link
 * #logitsOnly()}, {@link #capturing(Capture)} or {@link #training(Capture)}, then name the task
 * with {@link #forTask(Task)}; a forked model refuses a pass without one.
 *
 * @param training true inside a gradient collector
 * @param capture what to keep of each layer's attention besides the logits
 * @param task the task of every sequence in the batch, which picks the branch of a forked model;
 *     empty for a fully shared model
 */
public record ForwardOptions(boolean training, Capture capture, Optional<Task> task) {
  private static final ForwardOptions LOGITS_ONLY = new ForwardOptions(false, Capture.NONE, Optional.empty());

  public ForwardOptions {
    Objects.requireNonNull(capture, "capture");
    Objects.requireNonNull(task, "task");
  }

  /** An inference pass that keeps only the logits: the fastest. */
  public static ForwardOptions logitsOnly() {
    return LOGITS_ONLY;
  }

  /** An inference pass (no gradient) that keeps {@code capture} of each layer's attention. */
  public static ForwardOptions capturing(Capture capture) {
    return new ForwardOptions(false, capture, Optional.empty());
  }

  /** A training pass, inside a gradient collector, that keeps {@code capture} for the loss. */
  public static ForwardOptions training(Capture capture) {
    return new ForwardOptions(true, capture, Optional.empty());
  }

  /** These options for the sequences of {@code task}, through its branch in a forked model. */
  public ForwardOptions forTask(Task task) {
    return new ForwardOptions(training, capture, Optional.of(Objects.requireNonNull(task, "task")));
  }
}
