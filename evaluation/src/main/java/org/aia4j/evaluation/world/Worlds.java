package org.aia4j.evaluation.world;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.aia4j.api.spi.ProviderRegistry;

/** Finds worlds by name among the {@link WorldProvider}s on the class path (and plug-in jars). */
public final class Worlds {
  /** The world used when none is named. */
  public static final String DEFAULT = ShapesWorld.NAME;

  private static final Map<String, World> SHARED = new HashMap<>();

  private Worlds() {}

  /** The registry of world providers, loaded with {@link java.util.ServiceLoader}. */
  public static ProviderRegistry<WorldProvider> registry() {
    return ProviderRegistry.load(WorldProvider.class, "world");
  }

  /**
   * The world named {@code name} (null: {@value #DEFAULT}) with {@code config}, shared: one
   * process reads a world's data and judge once, however many suites and data sources use it, so
   * callers do not close it.
   *
   * @throws org.aia4j.api.spi.UnknownProviderException naming the known worlds
   * @throws IOException if the world's data or judge cannot be read
   */
  public static World get(String name, Map<String, String> config) throws IOException {
    WorldProvider provider = registry().get(name == null ? DEFAULT : name);
    String key = provider.name() + new TreeMap<>(config);
    synchronized (SHARED) {
      World world = SHARED.get(key);
      if (world == null) {
        world = provider.create(config);
        SHARED.put(key, world);
      }
      return world;
    }
  }

  /** The world named {@code name} with its default config ({@link #get(String, Map)}). */
  public static World get(String name) throws IOException {
    return get(name, Map.of());
  }
}
