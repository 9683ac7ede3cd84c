package org.aia4j.api.loss;

import com.fasterxml.jackson.databind.JsonNode;
import org.aia4j.api.spi.Provider;

/**
 * Makes {@link TrainingLoss}es from the {@code loss} section of a training config. Registered in
 * {@code META-INF/services/org.aia4j.api.loss.LossProvider}.
 */
public interface LossProvider extends Provider {

  /**
   * @param config the loss's settings (weights, schedule, Huber deltas); an empty object means
   *     defaults. Unknown fields should be rejected with a message naming them
   * @return a loss configured as asked
   * @throws IllegalArgumentException if the config is invalid
   */
  TrainingLoss create(JsonNode config);
}
