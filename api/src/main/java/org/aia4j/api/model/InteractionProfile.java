package org.aia4j.api.model;

import java.util.List;
import java.util.Objects;

/**
 * A model's per-layer interaction mass curve {@code I_l} for one task, measured over a set of
 * samples (DESIGN section 3): for generation the attention mass image tokens put on the prompt,
 * for understanding the mass answer tokens put on the image. It is what {@code aia profile}
 * writes and what stage targets are derived from.
 *
 * @param task which interaction was measured
 * @param mean per layer, the mean of {@code I_l} over samples; each in [0, 1]
 * @param std per layer, the standard deviation of {@code I_l} over samples; each finite, >= 0
 * @param samples how many samples were measured, at least 1
 */
public record InteractionProfile(Task task, List<Double> mean, List<Double> std, int samples) {

  // Validates the profile and makes the lists immutable copies.
  public InteractionProfile {
    Objects.requireNonNull(task, "task must not be null");
    mean = List.copyOf(Objects.requireNonNull(mean, "mean must not be null"));
    std = List.copyOf(Objects.requireNonNull(std, "std must not be null"));
    if (mean.isEmpty()) {
      throw new IllegalArgumentException("mean must have one value per layer, got none");
    }
    if (mean.size() != std.size()) {
      throw new IllegalArgumentException(
          "mean and std must have one value per layer each, got "
              + mean.size()
              + " and "
              + std.size());
    }
    for (int l = 0; l < mean.size(); l++) {
      double m = mean.get(l);
      if (!(m >= 0.0 && m <= 1.0)) {
        throw new IllegalArgumentException(
            "mean[" + l + "] must be an interaction mass in [0, 1], got " + m);
      }
      double s = std.get(l);
      if (!(s >= 0.0) || Double.isInfinite(s)) {
        throw new IllegalArgumentException("std[" + l + "] must be finite and >= 0, got " + s);
      }
    }
    if (samples <= 0) {
      throw new IllegalArgumentException("samples must be > 0, got " + samples);
    }
  }

  /** @return the number of layers profiled */
  public int layers() {
    return mean.size();
  }
}
