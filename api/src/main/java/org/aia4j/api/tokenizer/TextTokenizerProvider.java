package org.aia4j.api.tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import org.aia4j.api.spi.Provider;

/**
 * Loads saved {@link TextTokenizer}s of one {@link TextTokenizer#kind()}; its {@link #name()} is
 * that kind. Registered in {@code META-INF/services/org.aia4j.api.tokenizer.TextTokenizerProvider}.
 */
public interface TextTokenizerProvider extends Provider {

  /**
   * @param dir a directory written by {@link TextTokenizer#save}
   * @return the tokenizer
   * @throws IOException if it cannot be read, or was saved by a newer, unknown version
   */
  TextTokenizer load(Path dir) throws IOException;
}
