package org.aia4j.api.spi;

/**
 * A default provider was asked for but none is registered: usually a module is missing from
 * the class path. The message names the {@code META-INF/services} file a jar must carry.
 */
public final class NoProviderException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  /** @param message the full message, naming the missing services file */
  public NoProviderException(String message) {
    super(message);
  }
}
