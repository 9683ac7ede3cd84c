package org.aia4j.api.spi;

import java.util.List;

/**
 * A provider was asked for by a name no registered provider has. The message names the kind,
 * the unknown name and every known name, so a typo is fixed without reading code.
 */
public final class UnknownProviderException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  /** The registry's kind. */
  private final String kind;

  /** The name that was not found. */
  private final String requested;

  /** The names the registry knows. */
  private final List<String> known;

  /**
   * @param kind the registry's kind, e.g. {@code backend}
   * @param requested the name that was not found
   * @param known the names the registry does know
   * @param message the full message
   */
  public UnknownProviderException(
      String kind, String requested, List<String> known, String message) {
    super(message);
    this.kind = kind;
    this.requested = requested;
    this.known = List.copyOf(known);
  }

  /** @return the registry's kind, e.g. {@code backend} */
  public String kind() {
    return kind;
  }

  /** @return the name that was not found */
  public String requested() {
    return requested;
  }

  /** @return the names the registry knows, in registry order */
  public List<String> known() {
    return known;
  }
}
