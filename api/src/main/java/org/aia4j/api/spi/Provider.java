package org.aia4j.api.spi;

/**
 * Something a jar contributes through {@code META-INF/services}: a model loader, a loss, a
 * benchmark, a tokenizer or a backend.
 *
 * <p>Implementations need a public no-argument constructor (the {@link java.util.ServiceLoader}
 * rule) and should do no heavy work in it: the registry instantiates every provider it lists.
 */
public interface Provider {

  /**
   * The name users select this provider by ({@code --backend djl}), matched case-insensitively.
   *
   * @return a short, stable, non-blank name
   */
  String name();

  /**
   * How strongly this provider wants to be the default: the lowest rank wins, as with DJL's
   * engine rank. Built-in providers use 0-99; third parties that should not displace them by
   * accident should use 100 or more.
   *
   * @return the rank, lower is preferred
   */
  int rank();
}
