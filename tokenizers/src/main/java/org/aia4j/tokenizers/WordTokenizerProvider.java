package org.aia4j.tokenizers;

import java.io.IOException;
import java.nio.file.Path;
import org.aia4j.api.tokenizer.TextTokenizer;
import org.aia4j.api.tokenizer.TextTokenizerProvider;

/**
 * Loads {@link WordTokenizer}s ({@code kind} {@value WordTokenizer#KIND}) from the {@value
 * WordTokenizer#FILE_NAME} that {@link WordTokenizer#save} wrote.
 *
 * <pre>{@code
 * TextTokenizer tokenizer = Registries.textTokenizers().get("word").load(checkpoint);
 * }</pre>
 *
 * <p>Loading fails with an {@link IOException} that names the file and the problem: a missing file
 * ({@link java.nio.file.NoSuchFileException}), corrupt or truncated JSON, another kind, an
 * unsupported version (listing the supported ones), or a malformed vocabulary.
 */
public final class WordTokenizerProvider implements TextTokenizerProvider {

  @Override
  public String name() {
    return WordTokenizer.KIND;
  }

  @Override
  public int rank() {
    return 10;
  }

  @Override
  public TextTokenizer load(Path dir) throws IOException {
    return WordTokenizer.read(dir);
  }
}
