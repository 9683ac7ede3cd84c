package org.aia4j.loss;

import java.util.List;
import java.util.Objects;

/**
 * One task's part of a {@link StageSchedule}: the weight of its AIA term and its stages, in
 * depth order.
 *
 * @param lambda the weight {@code lambda_task} of {@code L_AIA} in {@code L_NTP + lambda L_AIA}
 * @param stages contiguous blocks covering the whole depth, first to last
 */
public record TaskSchedule(double lambda, List<Stage> stages) {

  public TaskSchedule {
    stages = List.copyOf(Objects.requireNonNull(stages, "stages must not be null"));
  }
}
