package org.aia4j.api.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.aia4j.api.spi.Provider;

/**
 * Loads checkpoints of one format as {@link UnifiedModel}s: the job of knowing a file layout
 * (which files, which tensors, which tokenizers). Registered in {@code
 * META-INF/services/org.aia4j.api.model.ModelProvider}; a third-party model family is one such
 * class plus its model.
 *
 * <p>It is distinct from {@link org.aia4j.api.backend.BackendProvider}, whose job is the engine
 * (is it installed here, what can it do: train, infer, export, profile). A backend hands out the
 * loader of the checkpoints it runs ({@link org.aia4j.api.backend.BackendProvider#models()}); a
 * model provider with no engine of its own (e.g. one that wraps a remote service) is registered
 * alone and chosen by its name wherever a command takes {@code --backend}.
 */
public interface ModelProvider extends Provider {

  /**
   * Loads a checkpoint.
   *
   * @param path the checkpoint, usually a directory
   * @param options provider-specific options such as {@code device=cpu}; unknown keys should be
   *     rejected with a message listing the known ones
   * @return the model; the caller closes it
   * @throws IOException if the checkpoint cannot be read
   */
  UnifiedModel load(Path path, Map<String, String> options) throws IOException;

  /**
   * A cheap check, reading at most a small file, of whether this provider recognises a
   * checkpoint, used to pick a provider when the user names none. The default recognises
   * nothing, so such a provider is only used when chosen by name or by rank.
   *
   * @param path the checkpoint
   * @return true if {@link #load} should succeed on it
   */
  default boolean canLoad(Path path) {
    return false;
  }
}
