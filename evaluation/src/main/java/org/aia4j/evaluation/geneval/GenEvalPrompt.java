package org.aia4j.evaluation.geneval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.aia4j.evaluation.io.JsonLines;

/**
 * One line of GenEval's {@code evaluation_metadata.jsonl}: a tag, include clauses (AND-ed),
 * exclude clauses (OR-ed) and the prompt text, e.g.
 *
 * <pre>{"tag": "counting", "include": [{"class": "square", "count": 3}], "exclude": [{"class": "square", "count": 4}], "prompt": "a photo of three squares"}</pre>
 *
 * <p>The tag is kept as text, as GenEval does (its scores are grouped by it); {@link #TAGS} lists
 * GenEval's six.
 */
public record GenEvalPrompt(String tag, List<GenEvalClause> include, List<GenEvalClause> exclude, String prompt) {
  public static final String SINGLE_OBJECT = "single_object";
  public static final String TWO_OBJECT = "two_object";
  public static final String COUNTING = "counting";
  public static final String COLORS = "colors";
  public static final String POSITION = "position";
  public static final String COLOR_ATTR = "color_attr";

  /** GenEval's six tags in its own order. */
  public static final List<String> TAGS = List.of(SINGLE_OBJECT, TWO_OBJECT, COUNTING, COLORS, POSITION, COLOR_ATTR);

  private static final Set<String> KEYS = Set.of("tag", "include", "exclude", "prompt");

  public GenEvalPrompt {
    Objects.requireNonNull(tag, "tag");
    Objects.requireNonNull(prompt, "prompt");
    if (tag.isBlank()) {
      throw new IllegalArgumentException("The tag must not be blank");
    }
    include = List.copyOf(include);
    exclude = List.copyOf(exclude);
    if (include.isEmpty()) {
      throw new IllegalArgumentException("A prompt needs at least one include clause: " + prompt);
    }
    for (int i = 0; i < include.size(); i++) {
      GenEvalPosition position = include.get(i).position();
      if (position != null && position.targetGroup() >= i) {
        throw new IllegalArgumentException("include[" + i + "]: position target group " + position.targetGroup()
            + " must name an earlier include clause (0.." + (i - 1) + ")");
      }
    }
    for (int i = 0; i < exclude.size(); i++) {
      GenEvalClause clause = exclude.get(i);
      if (clause.color() != null || clause.position() != null) {
        throw new IllegalArgumentException("exclude[" + i + "]: exclude clauses take only class and count "
            + "(GenEval ignores anything else)");
      }
    }
  }

  /** A prompt without exclude clauses. */
  public static GenEvalPrompt of(String tag, String prompt, GenEvalClause... include) {
    return new GenEvalPrompt(tag, List.of(include), List.of(), prompt);
  }

  /** GenEval's JSON object, keys in GenEval's order; {@code exclude} only when there is one. */
  public ObjectNode toJson() {
    ObjectNode node = JsonLines.MAPPER.createObjectNode();
    node.put("tag", tag);
    ArrayNode includes = node.putArray("include");
    include.forEach(c -> includes.add(c.toJson()));
    if (!exclude.isEmpty()) {
      ArrayNode excludes = node.putArray("exclude");
      exclude.forEach(c -> excludes.add(c.toJson()));
    }
    node.put("prompt", prompt);
    return node;
  }

  /**
   * The metadata line exactly as GenEval writes it (Python's {@code json.dumps}), without a
   * newline. This is also the string GenEval stores in each result's {@code metadata} field.
   */
  public String toMetadataLine() {
    return PythonJson.dumps(toJson());
  }

  /**
   * Parses one metadata object.
   *
   * @throws IllegalArgumentException naming the faulty key or clause
   */
  public static GenEvalPrompt fromJson(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("expected a JSON object with tag, include, prompt");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!KEYS.contains(name)) {
        throw new IllegalArgumentException("unknown key '" + name + "' (GenEval metadata has tag, include, "
            + "exclude, prompt)");
      }
    }
    JsonNode tag = node.get("tag");
    JsonNode prompt = node.get("prompt");
    if (tag == null || !tag.isTextual()) {
      throw new IllegalArgumentException("\"tag\" must be a string");
    }
    if (prompt == null || !prompt.isTextual()) {
      throw new IllegalArgumentException("\"prompt\" must be a string");
    }
    List<GenEvalClause> include = clauses(node.get("include"), "include", true);
    List<GenEvalClause> exclude = clauses(node.get("exclude"), "exclude", false);
    return new GenEvalPrompt(tag.asText(), include, exclude, prompt.asText());
  }

  private static List<GenEvalClause> clauses(JsonNode node, String key, boolean required) {
    if (node == null && !required) {
      return List.of();
    }
    if (node == null || !node.isArray()) {
      throw new IllegalArgumentException("\"" + key + "\" must be a list of clauses");
    }
    List<GenEvalClause> clauses = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      clauses.add(GenEvalClause.fromJson(node.get(i), key + "[" + i + "]"));
    }
    return clauses;
  }
}
