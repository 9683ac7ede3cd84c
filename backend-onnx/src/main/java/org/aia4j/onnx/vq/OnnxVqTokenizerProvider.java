package org.aia4j.onnx.vq;

import java.io.IOException;
import java.nio.file.Path;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.api.tokenizer.ImageTokenizerProvider;

/** Loads {@link OnnxVqTokenizer}s: the {@code onnx-vq} image tokenizer kind. */
public final class OnnxVqTokenizerProvider implements ImageTokenizerProvider {
  @Override
  public String name() {
    return OnnxVqTokenizer.KIND;
  }

  @Override
  public int rank() {
    return 20;
  }

  @Override
  public ImageTokenizer load(Path dir) throws IOException {
    return OnnxVqTokenizer.load(dir);
  }
}
