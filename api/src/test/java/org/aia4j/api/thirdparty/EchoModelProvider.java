package org.aia4j.api.thirdparty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.aia4j.api.model.ModelProvider;
import org.aia4j.api.model.UnifiedModel;

/**
 * A third party's model provider, registered in {@code
 * META-INF/services/org.aia4j.api.model.ModelProvider}. It recognises directories holding an
 * {@code echo.txt} and takes one option, {@code size}.
 */
public final class EchoModelProvider implements ModelProvider {

  static final String MARKER = "echo.txt";

  @Override
  public String name() {
    return "echo";
  }

  @Override
  public int rank() {
    return 100;
  }

  @Override
  public UnifiedModel load(Path path, Map<String, String> options) throws IOException {
    if (!canLoad(path)) {
      throw new IOException("Not an echo checkpoint (no " + MARKER + "): " + path);
    }
    for (String key : options.keySet()) {
      if (!Set.of("size").contains(key)) {
        throw new IllegalArgumentException("Unknown echo option '" + key + "'. Known: size");
      }
    }
    return new EchoModel(Integer.parseInt(options.getOrDefault("size", "32")));
  }

  @Override
  public boolean canLoad(Path path) {
    return Files.isRegularFile(path.resolve(MARKER));
  }
}
