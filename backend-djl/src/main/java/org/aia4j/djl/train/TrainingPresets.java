package org.aia4j.djl.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.aia4j.inference.model.ModelConfig;

/**
 * The named training set-ups. {@code tiny} trains in seconds (tests); {@code small} is the
 * quickstart's model, sized by measurement on a 2-core machine (DESIGN section 6); {@code medium}
 * is a larger model for serving and for machines with a GPU.
 *
 * <p>Both use 8x8-pixel image patches: at 32x32 a patch is exactly one slot of the world, so an
 * image is 16 tokens and an object is one token (DESIGN section 6 found half-drawn objects when an
 * object spans tokens that are 8 positions apart). The tokenizer's own default stays 4x4.
 */
public final class TrainingPresets {
  private record Defaults(int steps, int batchSize, double understandingShare, double learningRate, int warmupSteps,
      int patchSize, int codebookSize) {}

  private static final Map<String, Defaults> DEFAULTS = new LinkedHashMap<>();

  static {
    DEFAULTS.put("tiny", new Defaults(20, 8, 0.5, 3e-3, 2, 8, 64));
    // 70% understanding sequences: at 1:1 the multiple-choice skills that need one object picked out
    // of the image (its colour, its quadrant, a relation) stayed near chance after the quickstart's
    // budget, while generation had a margin to spare (measured on dev suites, not the default ones).
    DEFAULTS.put("small", new Defaults(1500, 48, 0.7, 2e-3, 50, 8, 64));
    // The small preset's data and mix on half the width: the conflict experiment's model.
    DEFAULTS.put("narrow", new Defaults(1500, 32, 0.7, 3e-3, 50, 8, 64));
    // The small preset's data and mix on a wider, deeper model; a lower peak rate, as usual when
    // width grows. Not tuned by measurement: a step takes seconds on 2 cores.
    DEFAULTS.put("medium", new Defaults(1500, 48, 0.7, 1e-3, 100, 8, 64));
    // The LLaMA family at the small and tiny presets' sizes, with their data, mix and schedule.
    DEFAULTS.put("small-llama", new Defaults(1500, 48, 0.7, 2e-3, 50, 8, 64));
    DEFAULTS.put("tiny-llama", new Defaults(20, 8, 0.5, 3e-3, 2, 8, 64));
  }

  private TrainingPresets() {}

  /**
   * The training config of a preset.
   *
   * @param steps total steps, or null for the preset's default
   * @throws IllegalArgumentException for an unknown preset, listing the known ones
   */
  public static TrainingConfig config(String preset, TaskMix tasks, boolean aia, JsonNode schedule, Integer steps,
      long seed) {
    Defaults d = DEFAULTS.get(preset);
    if (d == null) {
      throw new IllegalArgumentException(
          "Unknown preset '" + preset + "'. Known presets: " + String.join(", ", DEFAULTS.keySet()));
    }
    ModelConfig.preset(preset); // the model preset must exist too
    return new TrainingConfig(preset, tasks, aia, schedule, steps == null ? d.steps() : steps, seed, d.batchSize(),
        d.understandingShare(), d.learningRate(), d.warmupSteps(), 0.1, 0.01, 1.0, 0.1, d.patchSize(), d.codebookSize());
  }

  /** The preset names. */
  public static Iterable<String> names() {
    return DEFAULTS.keySet();
  }
}
