package org.aia4j.inference.sequence;

import java.util.Objects;
import org.aia4j.api.model.Task;

/**
 * Which positions are the queries {@code Q} and which the keys {@code K} of the interaction
 * statistic {@code I_l} (DESIGN section 3), by role: for generation (text to image) {@code Q} =
 * the {@link TokenRole#IMAGE} positions and {@code K} = the prompt's {@link TokenRole#TEXT}
 * positions, plus {@link TokenRole#BOS} when {@code bosAsText}; for understanding (image to text)
 * {@code Q} = the {@link TokenRole#ANSWER} positions and {@code K} = the {@link TokenRole#IMAGE}
 * positions. The AIA loss and every backend's profiler read the sets from here.
 *
 * @param task the task
 * @param bosAsText whether BOS is a key of a generation sample (ignored for understanding)
 */
public record InteractionRoles(Task task, boolean bosAsText) {
  /** BOS counts as prompt text unless said otherwise, as in the paper's reference code. */
  public static final boolean DEFAULT_BOS_AS_TEXT = true;

  public InteractionRoles {
    Objects.requireNonNull(task, "task must not be null");
  }

  /** @return the sets of {@code task} with the default BOS handling */
  public static InteractionRoles of(Task task) {
    return new InteractionRoles(task, DEFAULT_BOS_AS_TEXT);
  }

  /** @return whether a position with that role is a query of this task */
  public boolean isQuery(TokenRole role) {
    return switch (task) {
      case GENERATION -> role == TokenRole.IMAGE;
      case UNDERSTANDING -> role == TokenRole.ANSWER;
    };
  }

  /** @return whether a position with that role is a key of this task */
  public boolean isKey(TokenRole role) {
    return switch (task) {
      case GENERATION -> role == TokenRole.TEXT || (bosAsText && role == TokenRole.BOS);
      case UNDERSTANDING -> role == TokenRole.IMAGE;
    };
  }
}
