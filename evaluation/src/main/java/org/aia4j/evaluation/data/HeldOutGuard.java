package org.aia4j.evaluation.data;

import java.util.List;
import java.util.regex.Pattern;
import org.aia4j.evaluation.world.ColorShape;
import org.aia4j.evaluation.world.Scene;
import org.aia4j.evaluation.world.WorldSpec;

/**
 * Recognises a held-out combination in a text ("red triangle", "red triangles" as whole words)
 * or a scene, so {@link WorldTrainingData} can refuse to emit a sample that shows or names one.
 */
final class HeldOutGuard {
  private final WorldSpec spec;
  private final List<Pattern> names;

  HeldOutGuard(WorldSpec spec) {
    this.spec = spec;
    this.names = spec.heldOut().stream().map(HeldOutGuard::pattern).toList();
  }

  private static Pattern pattern(ColorShape held) {
    return Pattern.compile("\\b" + held.color().label() + "\\s+(" + held.shape().label() + "|"
        + held.shape().plural() + ")\\b", Pattern.CASE_INSENSITIVE);
  }

  /** Whether {@code text} names a held-out combination. */
  boolean names(String text) {
    for (Pattern name : names) {
      if (name.matcher(text).find()) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code scene} holds a held-out combination. */
  boolean shows(Scene scene) {
    return scene.objects().stream().anyMatch(o -> !spec.isTrainable(o.colorShape()));
  }
}
