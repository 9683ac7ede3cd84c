package org.aia4j.tokenizers.hf;

import java.io.IOException;
import java.nio.file.Path;
import org.aia4j.api.tokenizer.TextTokenizer;
import org.aia4j.api.tokenizer.TextTokenizerProvider;

/**
 * Loads a model's {@code tokenizer.json} ({@code kind} {@value HuggingFaceTextTokenizer#KIND}) from
 * a Hugging Face model directory or from the {@code tokenizers/} of a checkpoint imported from one.
 *
 * <pre>{@code
 * TextTokenizer tokenizer = Registries.textTokenizers().get("huggingface").load(modelDir);
 * int[] prompt = tokenizer.encodeWithSpecials("what colour is the circle");
 * }</pre>
 */
public final class HuggingFaceTextTokenizerProvider implements TextTokenizerProvider {

  @Override
  public String name() {
    return HuggingFaceTextTokenizer.KIND;
  }

  @Override
  public int rank() {
    // Never the default: aia4j's own models use the word tokenizer; this one is chosen by name.
    return 50;
  }

  @Override
  public TextTokenizer load(Path dir) throws IOException {
    return HuggingFaceTextTokenizer.load(dir);
  }
}
