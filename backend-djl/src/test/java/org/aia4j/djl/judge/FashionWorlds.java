package org.aia4j.djl.judge;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.aia4j.evaluation.fashion.FashionWorld;
import org.aia4j.evaluation.world.World;
import org.aia4j.evaluation.world.Worlds;
import org.aia4j.testkit.DebianDatasets;

/**
 * The fashion world as its provider builds it, for tests: its judge is trained once per build
 * into {@code target/fashion-judge} and shared by every test of the module's JVM.
 */
final class FashionWorlds {
  static final Path CACHE = Path.of("target", "fashion-judge");

  private FashionWorlds() {}

  /** The fashion world, found by name through its provider (skipped locally without the dataset). */
  static World shared() throws IOException {
    Path dataset = DebianDatasets.fashionMnist();
    return Worlds.get(FashionWorld.NAME, Map.of("dataset", dataset.toString(), "cache", CACHE.toString()));
  }
}
