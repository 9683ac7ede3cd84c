package org.aia4j.evaluation.world;

import java.io.IOException;
import java.util.Map;
import org.aia4j.api.spi.Provider;

/**
 * Creates a {@link World} by name, found with {@link java.util.ServiceLoader}: a third party adds
 * a world (its renderer and its judge) by adding a jar that lists its provider in {@code
 * META-INF/services/org.aia4j.evaluation.world.WorldProvider}.
 */
public interface WorldProvider extends Provider {

  /**
   * @param config world settings, e.g. {@code size} for the shapes world or {@code cache} for
   *     where the fashion world keeps its trained judge; unknown keys are ignored
   * @throws IOException if the world's data or judge cannot be read
   */
  World create(Map<String, String> config) throws IOException;
}
