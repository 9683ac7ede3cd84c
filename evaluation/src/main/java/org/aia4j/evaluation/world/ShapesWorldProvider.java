package org.aia4j.evaluation.world;

import java.util.Map;

/** Registers {@link ShapesWorld} as {@code shapes}. Config: {@code size} (image side, default 32). */
public final class ShapesWorldProvider implements WorldProvider {
  @Override
  public String name() {
    return ShapesWorld.NAME;
  }

  @Override
  public int rank() {
    return 0;
  }

  @Override
  public World create(Map<String, String> config) {
    String size = config.get("size");
    return new ShapesWorld(size == null ? WorldSpec.standard() : WorldSpec.ofSize(Integer.parseInt(size)));
  }
}
