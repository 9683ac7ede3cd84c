package org.aia4j.tokenizers;

import java.io.IOException;
import java.nio.file.Path;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.api.tokenizer.ImageTokenizerProvider;

/**
 * Loads {@link PatchVqTokenizer}s ({@code kind} {@value PatchVqTokenizer#KIND}) from the {@value
 * PatchVqTokenizer#FILE_NAME} that {@link PatchVqTokenizer#save} wrote.
 *
 * <pre>{@code
 * ImageTokenizer tokenizer = Registries.imageTokenizers().get("patch-vq").load(checkpoint);
 * }</pre>
 *
 * <p>Loading fails with an {@link IOException} that names the file and the problem: a missing file
 * ({@link java.nio.file.NoSuchFileException}), corrupt or truncated JSON, another kind, an
 * unsupported version (listing the supported ones), or a codebook of the wrong shape.
 */
public final class PatchVqTokenizerProvider implements ImageTokenizerProvider {

  @Override
  public String name() {
    return PatchVqTokenizer.KIND;
  }

  @Override
  public int rank() {
    return 10;
  }

  @Override
  public ImageTokenizer load(Path dir) throws IOException {
    return PatchVqTokenizer.read(dir);
  }
}
