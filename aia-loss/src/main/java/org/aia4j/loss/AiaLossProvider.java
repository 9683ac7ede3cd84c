package org.aia4j.loss;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;
import org.aia4j.api.interaction.InteractionRoles;
import org.aia4j.api.loss.LossProvider;
import org.aia4j.api.loss.TrainingLoss;

/**
 * Provides {@link AiaLoss} under the name {@code aia}. Config: a {@link StageSchedule} JSON
 * object plus an optional {@code "bosAsText"} (default true); without a {@code "mode"}, {@code
 * "generation"} or {@code "understanding"} field the paper's default schedule is used, e.g.
 * {@code {}} or {@code {"bosAsText": false}}. This is the loss {@code aia train} uses unless
 * {@code --loss} names another: the trainer sees it only as a {@link TrainingLoss} that needs the
 * interaction masses and logs its unweighted term and per-layer means.
 */
public final class AiaLossProvider implements LossProvider {

  /** The name the loss is selected by. */
  public static final String NAME = "aia";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int rank() {
    return 10;
  }

  @Override
  public TrainingLoss create(JsonNode config) {
    return createAia(config);
  }

  /**
   * {@link #create} with the concrete type, for callers that log the per-layer terms.
   *
   * @param config the schedule JSON plus {@code bosAsText}; null or empty for defaults
   * @return the loss
   */
  public AiaLoss createAia(JsonNode config) {
    if (config == null || config.isNull() || config.isMissingNode()) {
      return AiaLoss.paperDefault();
    }
    if (!config.isObject()) {
      throw new IllegalArgumentException("aia loss config must be a JSON object, got " + config);
    }
    ObjectNode schedule = ((ObjectNode) config).deepCopy();
    boolean bosAsText = InteractionRoles.DEFAULT_BOS_AS_TEXT;
    JsonNode bos = schedule.remove("bosAsText");
    if (bos != null) {
      if (!bos.isBoolean()) {
        throw new IllegalArgumentException("bosAsText must be true or false, got " + bos);
      }
      bosAsText = bos.booleanValue();
    }
    if (schedule.isEmpty()) {
      return new AiaLoss(StageSchedule.paperDefault(), bosAsText);
    }
    StageSchedule.rejectUnknown(
        "aia loss config",
        schedule,
        Set.of("mode", "layers", "generation", "understanding", "bosAsText"));
    return new AiaLoss(StageSchedule.fromJson(schedule), bosAsText);
  }
}
