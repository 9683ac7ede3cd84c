package org.aia4j.djl.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import org.aia4j.api.model.Task;

/** Which tasks a run trains: both (the unified model), or one (an expert for AIA targets). */
public enum TaskMix {
  BOTH("both"),
  UNDERSTANDING("und"),
  GENERATION("gen");

  private final String shortName;

  TaskMix(String shortName) {
    this.shortName = shortName;
  }

  /** The command-line spelling: {@code both}, {@code und} or {@code gen}. */
  @JsonValue
  public String shortName() {
    return shortName;
  }

  /** Whether this mix trains {@code task}. */
  public boolean includes(Task task) {
    return this == BOTH || (this == UNDERSTANDING) == (task == Task.UNDERSTANDING);
  }

  /**
   * Parses {@code both}, {@code und} or {@code gen} (or the long task names).
   *
   * @throws IllegalArgumentException listing the accepted values
   */
  @JsonCreator
  public static TaskMix parse(String text) {
    String key = text.trim().toLowerCase(Locale.ROOT);
    if (key.equals("both")) {
      return BOTH;
    }
    try {
      return Task.parse(key) == Task.UNDERSTANDING ? UNDERSTANDING : GENERATION;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Unknown task mix '" + text + "'. Use both, und or gen.", e);
    }
  }

  @Override
  public String toString() {
    return shortName;
  }
}
