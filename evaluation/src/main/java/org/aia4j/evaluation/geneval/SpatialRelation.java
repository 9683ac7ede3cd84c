package org.aia4j.evaluation.geneval;

import java.util.Arrays;
import java.util.stream.Collectors;

/** GenEval's four position relations, spelt as in its metadata and prompts. */
public enum SpatialRelation {
  LEFT_OF("left of"),
  RIGHT_OF("right of"),
  ABOVE("above"),
  BELOW("below");

  private final String label;

  SpatialRelation(String label) {
    this.label = label;
  }

  /** The phrase used in metadata and prompts, e.g. {@code left of}. */
  public String label() {
    return label;
  }

  /**
   * Parses a relation exactly as GenEval spells it.
   *
   * @throws IllegalArgumentException naming the known relations
   */
  public static SpatialRelation parse(String text) {
    for (SpatialRelation relation : values()) {
      if (relation.label.equals(text)) {
        return relation;
      }
    }
    throw new IllegalArgumentException("Unknown position relation '" + text + "'. Known relations: "
        + Arrays.stream(values()).map(r -> "'" + r.label + "'").collect(Collectors.joining(", ")));
  }
}
