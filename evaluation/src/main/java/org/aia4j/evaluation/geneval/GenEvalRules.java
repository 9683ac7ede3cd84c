package org.aia4j.evaluation.geneval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.aia4j.evaluation.world.DetectedObject;
import org.aia4j.evaluation.world.ObjectClass;
import org.aia4j.evaluation.world.WorldColor;

/**
 * GenEval's decision rules ({@code evaluate} and {@code relative_position} in its
 * {@code evaluate_images.py}), on the analyser's detections. Reasons are worded as GenEval's.
 *
 * <ul>
 *   <li>Include clauses are AND-ed. A clause finds the first {@code count} objects of its class
 *       (most confident first); fewer is wrong. Colour is checked on those found objects only;
 *       position only if the clause is still matched, against every object of the target group,
 *       and a target group that did not match makes the clause wrong.
 *   <li>Exclude clauses are OR-ed: {@code count} or more objects of the class (all detections) is
 *       wrong.
 * </ul>
 */
public final class GenEvalRules {
  /** GenEval's {@code position_threshold}: the share of the boxes' sizes subtracted from the offset. */
  public static final double POSITION_THRESHOLD = 0.1;

  /** GenEval's {@code max_objects}: detections kept per class. */
  public static final int MAX_OBJECTS_PER_CLASS = 16;

  /** Whether an image is correct and, if not, GenEval's reasons, one a line. */
  public record Verdict(boolean correct, String reason) {}

  private GenEvalRules() {}

  /**
   * Groups detections by class the way GenEval's detector output is: by score descending (ties
   * keep the analyser's row-major slot order), at most {@link #MAX_OBJECTS_PER_CLASS} per class;
   * classes without detections are absent.
   *
   * @param classes the world's classes in their fixed order (as the detector's class list), which
   *     the groups follow so outputs are stable; any other class follows them, alphabetically
   */
  public static Map<String, List<DetectedObject>> byClass(List<DetectedObject> detections,
      List<ObjectClass> classes) {
    List<String> order = classes.stream().map(ObjectClass::label).toList();
    Comparator<String> byWorldOrder = Comparator.comparingInt(name -> {
      int index = order.indexOf(name);
      return index < 0 ? order.size() : index;
    });
    Map<String, List<DetectedObject>> grouped = new TreeMap<>(byWorldOrder.thenComparing(Comparator.naturalOrder()));
    for (DetectedObject object : detections) {
      grouped.computeIfAbsent(object.shape().label(), s -> new ArrayList<>()).add(object);
    }
    grouped.replaceAll((shape, objects) -> objects.stream()
        .sorted(Comparator.comparingDouble(DetectedObject::score).reversed())
        .limit(MAX_OBJECTS_PER_CLASS)
        .toList());
    return grouped;
  }

  /** Applies {@code prompt}'s clauses to {@code objects} (as from {@link #byClass}). */
  public static Verdict evaluate(GenEvalPrompt prompt, Map<String, List<DetectedObject>> objects) {
    boolean correct = true;
    List<String> reasons = new ArrayList<>();
    List<List<DetectedObject>> matchedGroups = new ArrayList<>();
    for (GenEvalClause clause : prompt.include()) {
      String classname = clause.className();
      List<DetectedObject> all = objects.getOrDefault(classname, List.of());
      List<DetectedObject> found = all.subList(0, Math.min(clause.count(), all.size()));
      boolean matched = true;
      if (found.size() < clause.count()) {
        correct = matched = false;
        reasons.add("expected " + classname + ">=" + clause.count() + ", found " + found.size());
      } else {
        if (clause.color() != null) {
          long right = found.stream().filter(o -> o.color() == clause.color()).count();
          if (right < clause.count()) {
            correct = matched = false;
            String wanted = clause.color().label();
            reasons.add("expected " + wanted + " " + classname + ">=" + clause.count() + ", found " + right + " "
                + wanted + "; and " + colorCounts(found));
          }
        }
        GenEvalPosition position = clause.position();
        if (position != null && matched) {
          String expected = position.relation().label();
          List<DetectedObject> targets = matchedGroups.get(position.targetGroup());
          if (targets == null) {
            correct = matched = false;
            reasons.add("no target for " + classname + " to be " + expected);
          } else {
            outer:
            for (DetectedObject object : found) {
              for (DetectedObject target : targets) {
                Set<SpatialRelation> relations = relativePosition(object.box().toXyxy(), target.box().toXyxy());
                if (!relations.contains(position.relation())) {
                  correct = matched = false;
                  reasons.add("expected " + classname + " " + expected + " target, found "
                      + relations.stream().map(SpatialRelation::label).collect(Collectors.joining(" and "))
                      + " target");
                  break outer;
                }
              }
            }
          }
        }
      }
      matchedGroups.add(matched ? found : null);
    }
    for (GenEvalClause clause : prompt.exclude()) {
      int present = objects.getOrDefault(clause.className(), List.of()).size();
      if (present >= clause.count()) {
        correct = false;
        reasons.add("expected " + clause.className() + "<" + clause.count() + ", found " + present);
      }
    }
    return new Verdict(correct, String.join("\n", reasons));
  }

  /** GenEval's "1 red, 2 blue" list, in its colour order, of colours present. */
  private static String colorCounts(List<DetectedObject> found) {
    List<String> parts = new ArrayList<>();
    for (WorldColor color : WorldColor.values()) {
      long n = found.stream().filter(o -> o.color() == color).count();
      if (n > 0) {
        parts.add(n + " " + color.label());
      }
    }
    return String.join(", ", parts);
  }

  /**
   * GenEval's {@code relative_position}: the relations of box {@code a} to box {@code b}, both
   * {@code [x1, y1, x2, y2]}. The centre offset is shrunk on each axis by
   * {@link #POSITION_THRESHOLD} times the sum of the boxes' sizes on that axis (not below zero),
   * divided by the length of the unshrunk offset, and a relation holds where that exceeds 0.5.
   * Image y grows downwards, so "above" is a negative y offset.
   */
  public static Set<SpatialRelation> relativePosition(double[] a, double[] b) {
    double[] offset = {(a[0] + a[2]) / 2 - (b[0] + b[2]) / 2, (a[1] + a[3]) / 2 - (b[1] + b[3]) / 2};
    double[] dims = {Math.abs(a[2] - a[0]) + Math.abs(b[2] - b[0]), Math.abs(a[3] - a[1]) + Math.abs(b[3] - b[1])};
    double[] revised = new double[2];
    for (int i = 0; i < 2; i++) {
      revised[i] = Math.max(Math.abs(offset[i]) - POSITION_THRESHOLD * dims[i], 0) * Math.signum(offset[i]);
    }
    Set<SpatialRelation> relations = EnumSet.noneOf(SpatialRelation.class);
    if (Math.abs(revised[0]) < 1e-3 && Math.abs(revised[1]) < 1e-3) {
      return relations;
    }
    double norm = Math.sqrt(offset[0] * offset[0] + offset[1] * offset[1]); // as numpy.linalg.norm
    double dx = revised[0] / norm;
    double dy = revised[1] / norm;
    if (dx < -0.5) {
      relations.add(SpatialRelation.LEFT_OF);
    }
    if (dx > 0.5) {
      relations.add(SpatialRelation.RIGHT_OF);
    }
    if (dy < -0.5) {
      relations.add(SpatialRelation.ABOVE);
    }
    if (dy > 0.5) {
      relations.add(SpatialRelation.BELOW);
    }
    return relations;
  }
}
