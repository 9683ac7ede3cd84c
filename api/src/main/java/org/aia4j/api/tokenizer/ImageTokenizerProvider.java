package org.aia4j.api.tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import org.aia4j.api.spi.Provider;

/**
 * Loads saved {@link ImageTokenizer}s of one {@link ImageTokenizer#kind()}; its {@link #name()}
 * is that kind. Registered in {@code
 * META-INF/services/org.aia4j.api.tokenizer.ImageTokenizerProvider}.
 */
public interface ImageTokenizerProvider extends Provider {

  /**
   * @param dir a directory written by {@link ImageTokenizer#save}
   * @return the tokenizer
   * @throws IOException if it cannot be read, or was saved by a newer, unknown version
   */
  ImageTokenizer load(Path dir) throws IOException;
}
