package org.aia4j.api.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a loaded model is and where it came from, copied into every report so a score can be
 * traced to its checkpoint.
 *
 * @param name the model's name, e.g. the checkpoint directory's name
 * @param backend the backend running it, e.g. {@code djl} or {@code onnx}
 * @param layers the number of transformer layers, or 0 when unknown
 * @param provenance how the checkpoint was made: training config, seeds, data, versions; an
 *     immutable copy that keeps the given order
 */
public record ModelInfo(String name, String backend, int layers, Map<String, String> provenance) {

  // Validates the info and copies the provenance.
  public ModelInfo {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    Objects.requireNonNull(backend, "backend must not be null");
    if (layers < 0) {
      throw new IllegalArgumentException("layers must be >= 0 (0 = unknown), got " + layers);
    }
    Objects.requireNonNull(provenance, "provenance must not be null");
    Map<String, String> copy = new LinkedHashMap<>();
    provenance.forEach(
        (k, v) ->
            copy.put(
                Objects.requireNonNull(k, "provenance keys must not be null"),
                Objects.requireNonNull(v, () -> "provenance['" + k + "'] must not be null")));
    provenance = Collections.unmodifiableMap(copy);
  }
}
