package org.aia4j.server.http;

/**
 * A request the server refuses, answered in OpenAI's error shape {@code {"error": {"message",
 * "type", "param", "code"}}}. Messages say what was wrong and what is accepted; they never carry
 * a stack trace.
 */
public final class ApiException extends RuntimeException {
  private final int status;
  private final String type;
  private final String code;
  private final String param;

  /**
   * @param status the HTTP status
   * @param type OpenAI's error type, e.g. {@code invalid_request_error}
   * @param code a machine-readable code, e.g. {@code invalid_type}; may be null
   * @param param the request field at fault, e.g. {@code messages[0].content}; may be null
   * @param message what was wrong
   */
  public ApiException(int status, String type, String code, String param, String message) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
  }

  /** A 400 about one field. */
  public static ApiException invalid(String param, String code, String message) {
    return new ApiException(400, "invalid_request_error", code, param, message);
  }

  /** A 400 about the request as a whole. */
  public static ApiException invalid(String message) {
    return new ApiException(400, "invalid_request_error", "invalid_request", null, message);
  }

  /** A 404: no such model, job or route. */
  public static ApiException notFound(String code, String param, String message) {
    return new ApiException(404, "invalid_request_error", code, param, message);
  }

  /** @return the HTTP status */
  public int status() {
    return status;
  }

  /** @return OpenAI's error type */
  public String type() {
    return type;
  }

  /** @return the error code, or null */
  public String code() {
    return code;
  }

  /** @return the field at fault, or null */
  public String param() {
    return param;
  }
}
