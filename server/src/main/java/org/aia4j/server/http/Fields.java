package org.aia4j.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.util.Locale;

/**
 * Typed, checked reads of request JSON fields: a missing required field, a value of the wrong JSON
 * type or out of range is an {@link ApiException} (400) naming the field, the expected type or
 * range and what was sent. {@code null} counts as absent, as in OpenAI's API.
 */
final class Fields {
  private final JsonNode node;
  private final String path;

  private Fields(JsonNode node, String path) {
    this.node = node;
    this.path = path;
  }

  /**
   * @param node a JSON value that must be an object
   * @param path how the request names it, e.g. {@code messages[2]}; empty for the body
   */
  static Fields of(JsonNode node, String path) {
    if (node == null || !node.isObject()) {
      throw ApiException.invalid(path.isEmpty() ? null : path, "invalid_type",
          (path.isEmpty() ? "The request body" : path) + " must be a JSON object, got " + describe(node));
    }
    return new Fields(node, path);
  }

  String name(String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  boolean has(String field) {
    JsonNode value = node.get(field);
    return value != null && !value.isNull();
  }

  JsonNode get(String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value;
  }

  JsonNode required(String field) {
    JsonNode value = get(field);
    if (value == null) {
      throw ApiException.invalid(name(field), "missing_required_parameter", "Missing required parameter: '" + name(field) + "'");
    }
    return value;
  }

  String string(String field, String fallback) {
    JsonNode value = get(field);
    if (value == null) {
      return fallback;
    }
    if (!value.isTextual()) {
      throw wrongType(field, "a string", value);
    }
    return value.asText();
  }

  String requiredString(String field) {
    required(field);
    return string(field, null);
  }

  boolean bool(String field, boolean fallback) {
    JsonNode value = get(field);
    if (value == null) {
      return fallback;
    }
    if (!value.isBoolean()) {
      throw wrongType(field, "a boolean", value);
    }
    return value.asBoolean();
  }

  double number(String field, double fallback, double min, double max) {
    JsonNode value = get(field);
    if (value == null) {
      return fallback;
    }
    if (!value.isNumber()) {
      throw wrongType(field, "a number", value);
    }
    double d = value.asDouble();
    if (!Double.isFinite(d) || d < min || d > max) {
      throw ApiException.invalid(name(field), "invalid_value", "'" + name(field) + "' must be between " + fmt(min)
          + " and " + fmt(max) + ", got " + value);
    }
    return d;
  }

  long integer(String field, long fallback, long min, long max) {
    JsonNode value = get(field);
    if (value == null) {
      return fallback;
    }
    boolean integral = value.isIntegralNumber() || (value.isNumber() && value.asDouble() == Math.rint(value.asDouble()));
    if (!value.isNumber() || !integral) {
      throw wrongType(field, "an integer", value);
    }
    if (!value.canConvertToLong() || value.asLong() < min || value.asLong() > max) {
      throw ApiException.invalid(name(field), "invalid_value", "'" + name(field) + "' must be an integer from " + min
          + " to " + max + ", got " + value);
    }
    return value.asLong();
  }

  ApiException wrongType(String field, String expected, JsonNode value) {
    return ApiException.invalid(name(field), "invalid_type", "Invalid type for '" + name(field) + "': expected "
        + expected + ", but got " + describe(value));
  }

  static String describe(JsonNode value) {
    if (value == null || value.isMissingNode()) {
      return "nothing";
    }
    JsonNodeType type = value.getNodeType();
    String kind = switch (type) {
      case NUMBER -> value.isIntegralNumber() ? "an integer" : "a number";
      case STRING -> "a string";
      case BOOLEAN -> "a boolean";
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case NULL -> "null";
      default -> type.name().toLowerCase(Locale.ROOT);
    };
    String text = value.toString();
    return kind + (type == JsonNodeType.ARRAY || type == JsonNodeType.OBJECT ? ""
        : " (" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + ")");
  }

  private static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }
}
