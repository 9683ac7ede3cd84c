package org.aia4j.evaluation.geneval;

import java.util.Objects;

/**
 * A clause's position requirement, GenEval's {@code "position": [relation, target]}: every object
 * of the clause must stand in {@code relation} to every object matched by the include clause at
 * index {@code targetGroup}.
 */
public record GenEvalPosition(SpatialRelation relation, int targetGroup) {

  public GenEvalPosition {
    Objects.requireNonNull(relation, "relation");
    if (targetGroup < 0) {
      throw new IllegalArgumentException("Position target group must be >= 0, got " + targetGroup);
    }
  }
}
