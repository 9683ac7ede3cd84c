package org.aia4j.api.model;

import java.util.Locale;

/**
 * The two directions a unified model works in. Each has its own AIA targets and weight, so the
 * task travels with every loss input, profile and schedule.
 */
public enum Task {
  /** Image to text: answer a question about an image. */
  UNDERSTANDING("und"),
  /** Text to image: draw what a prompt describes. */
  GENERATION("gen");

  private final String shortName;

  Task(String shortName) {
    this.shortName = shortName;
  }

  /** @return the short name used in file names, metrics and the CLI: {@code und} or {@code gen} */
  public String shortName() {
    return shortName;
  }

  /**
   * Reads a task as users write it.
   *
   * @param text {@code und}, {@code gen}, {@code understanding} or {@code generation}, any case
   * @return the task
   * @throws IllegalArgumentException for anything else, listing the accepted spellings
   */
  public static Task parse(String text) {
    String s = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
    for (Task task : values()) {
      if (s.equals(task.shortName) || s.equals(task.name().toLowerCase(Locale.ROOT))) {
        return task;
      }
    }
    throw new IllegalArgumentException(
        "Unknown task '" + text + "'. Known tasks: und (understanding), gen (generation).");
  }
}
