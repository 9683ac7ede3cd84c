package org.aia4j.cli;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.aia4j.djl.infer.DjlTextEngine;
import org.aia4j.inference.checkpoint.TextModel;
import org.aia4j.inference.decode.TextEngine;
import org.aia4j.onnx.runtime.OnnxTextEngine;

/** The {@link TextEngine} of a {@code --backend} name, for the commands that run raw ids. */
final class TextEngines {
  /** The backends that run raw ids, in the order benchmarks measure them. */
  static final List<String> NAMES = List.of("djl", "onnx");

  private TextEngines() {}

  /**
   * @param backend {@code djl} or {@code onnx} (exported in memory)
   * @throws IllegalArgumentException for a backend that cannot run raw ids, naming the ones that can
   */
  static TextEngine open(TextModel model, String backend) throws IOException {
    switch (backend.toLowerCase(Locale.ROOT)) {
      case "djl":
        return DjlTextEngine.load(model);
      case "onnx":
        return OnnxTextEngine.load(model, Map.of());
      default:
        throw new IllegalArgumentException("--backend " + backend + " cannot run a decoder on raw ids; use --backend djl or onnx");
    }
  }
}
