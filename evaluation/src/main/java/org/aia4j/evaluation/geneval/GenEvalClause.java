package org.aia4j.evaluation.geneval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.aia4j.evaluation.io.JsonLines;
import org.aia4j.evaluation.world.ObjectClass;
import org.aia4j.evaluation.world.WorldColor;
import org.aia4j.evaluation.world.WorldSpec;

/**
 * One include or exclude clause of GenEval metadata: {@code {"class": ..., "count": ...}} with an
 * optional {@code "color"} and an optional {@code "position"}. The class is any name GenEval's
 * metadata holds (the official suite's are COCO classes such as {@code bench}); whether a judge
 * can detect it is the judge's to say ({@link GenEvalScorer#requireJudgeable}), not the reader's.
 *
 * @param className the object class, exactly as spelt in the metadata
 * @param count include: at least this many; exclude: fewer than this many
 * @param color required colour of the counted objects, or {@code null}
 * @param position required position relative to an earlier include clause, or {@code null}
 */
public record GenEvalClause(String className, int count, WorldColor color, GenEvalPosition position) {
  private static final Set<String> KEYS = Set.of("class", "count", "color", "position");

  public GenEvalClause {
    Objects.requireNonNull(className, "className");
    if (className.isBlank()) {
      throw new IllegalArgumentException("Clause class must not be blank");
    }
    if (count < 1) {
      throw new IllegalArgumentException("Clause count must be >= 1, got " + count);
    }
  }

  /** {@code count} objects of class {@code shape}, any colour, anywhere. */
  public static GenEvalClause of(ObjectClass shape, int count) {
    return new GenEvalClause(shape.label(), count, null, null);
  }

  /** {@code count} objects of the class named {@code className}, any colour, anywhere. */
  public static GenEvalClause of(String className, int count) {
    return new GenEvalClause(className, count, null, null);
  }

  /** @return {@code spec}'s class of this name, or empty when the world has no such class */
  public Optional<ObjectClass> worldClass(WorldSpec spec) {
    return spec.classNamed(className);
  }

  /** This clause requiring colour {@code color}. */
  public GenEvalClause withColor(WorldColor color) {
    return new GenEvalClause(className, count, Objects.requireNonNull(color, "color"), position);
  }

  /** This clause requiring {@code relation} to the objects of include clause {@code targetGroup}. */
  public GenEvalClause withPosition(SpatialRelation relation, int targetGroup) {
    return new GenEvalClause(className, count, color, new GenEvalPosition(relation, targetGroup));
  }

  /** GenEval's JSON form, keys in GenEval's order: class, count, color, position. */
  public ObjectNode toJson() {
    ObjectNode node = JsonLines.MAPPER.createObjectNode();
    node.put("class", className);
    node.put("count", count);
    if (color != null) {
      node.put("color", color.label());
    }
    if (position != null) {
      node.putArray("position").add(position.relation().label()).add(position.targetGroup());
    }
    return node;
  }

  /**
   * Parses GenEval's JSON form strictly: class and colour names exactly as spelt in prompts, no
   * unknown keys (a misspelt {@code "colour"} would otherwise silently drop a requirement).
   *
   * @param where what is being parsed, for error messages (e.g. {@code include[1]})
   * @throws IllegalArgumentException naming {@code where} and the fault
   */
  public static GenEvalClause fromJson(JsonNode node, String where) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(where + ": expected an object like {\"class\": \"circle\", \"count\": 1}");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!KEYS.contains(name)) {
        throw new IllegalArgumentException(where + ": unknown key '" + name + "' (a clause has class, count, "
            + "color, position)");
      }
    }
    JsonNode classNode = node.get("class");
    if (classNode == null || !classNode.isTextual()) {
      throw new IllegalArgumentException(where + ": \"class\" must be a string");
    }
    String className = classNode.asText();
    if (className.isBlank()) {
      throw new IllegalArgumentException(where + ": \"class\" must not be blank");
    }
    JsonNode countNode = node.get("count");
    if (countNode == null || !countNode.isIntegralNumber() || !countNode.canConvertToInt() || countNode.intValue() < 1) {
      throw new IllegalArgumentException(where + ": \"count\" must be an integer >= 1, got " + countNode);
    }
    WorldColor color = null;
    JsonNode colorNode = node.get("color");
    if (colorNode != null) {
      if (!colorNode.isTextual()) {
        throw new IllegalArgumentException(where + ": \"color\" must be a string");
      }
      color = parseColor(colorNode.asText(), where);
    }
    GenEvalPosition position = null;
    JsonNode positionNode = node.get("position");
    if (positionNode != null) {
      if (!positionNode.isArray() || positionNode.size() != 2 || !positionNode.get(0).isTextual()
          || !positionNode.get(1).isIntegralNumber() || !positionNode.get(1).canConvertToInt()) {
        throw new IllegalArgumentException(where + ": \"position\" must be [relation, target group index], e.g. "
            + "[\"left of\", 0], got " + positionNode);
      }
      try {
        position = new GenEvalPosition(SpatialRelation.parse(positionNode.get(0).asText()), positionNode.get(1).intValue());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
      }
    }
    return new GenEvalClause(className, countNode.intValue(), color, position);
  }

  private static WorldColor parseColor(String text, String where) {
    WorldColor color;
    try {
      color = WorldColor.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
    if (!color.label().equals(text)) {
      throw new IllegalArgumentException(where + ": colour '" + text + "' must be spelt '" + color.label()
          + "' (GenEval matches colour names exactly)");
    }
    return color;
  }
}
