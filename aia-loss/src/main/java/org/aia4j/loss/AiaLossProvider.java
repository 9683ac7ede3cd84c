package org.aia4j.loss;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;
import org.aia4j.api.interaction.AnswerQueries;
import org.aia4j.api.loss.LossProvider;
import org.aia4j.api.loss.TrainingLoss;

/**
 * Provides {@link AiaLoss} under the name {@code aia}. Config: a {@link StageSchedule} JSON
 * object plus the optional {@link AiaOptions}: {@code "aggregation"} ({@code "per-sample"}, the
 * default, or {@code "batch-mean"}), {@code "bosAsText"} (default true) and {@code
 * "understandingQueries"} ({@code "answer-tokens"}, the default, or {@code "answer-predictors"});
 * without a {@code "mode"}, {@code "generation"} or {@code "understanding"} field the paper's
 * default schedule is used, e.g. {@code {}} or {@code {"bosAsText": false}}. This is the loss {@code aia train} uses unless
 * {@code --loss} names another: the trainer sees it only as a {@link TrainingLoss} that needs the
 * interaction masses and logs its unweighted term and per-layer means.
 */
public final class AiaLossProvider implements LossProvider {

  /** The name the loss is selected by. */
  public static final String NAME = "aia";

  /** Config field of {@link AiaOptions#bosAsText()}. */
  public static final String BOS_AS_TEXT = "bosAsText";

  /** Config field of {@link AiaOptions#aggregation()}. */
  public static final String AGGREGATION = "aggregation";

  /** Config field of {@link AiaOptions#answerQueries()}. */
  public static final String UNDERSTANDING_QUERIES = "understandingQueries";

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
    AiaOptions options = AiaOptions.DEFAULTS;
    JsonNode bos = schedule.remove(BOS_AS_TEXT);
    if (bos != null) {
      if (!bos.isBoolean()) {
        throw new IllegalArgumentException(BOS_AS_TEXT + " must be true or false, got " + bos);
      }
      options = options.withBosAsText(bos.booleanValue());
    }
    JsonNode aggregation = schedule.remove(AGGREGATION);
    if (aggregation != null) {
      options = options.withAggregation(AiaOptions.Aggregation.parse(text(AGGREGATION, aggregation)));
    }
    JsonNode queries = schedule.remove(UNDERSTANDING_QUERIES);
    if (queries != null) {
      options = options.withAnswerQueries(AnswerQueries.parse(text(UNDERSTANDING_QUERIES, queries)));
    }
    if (schedule.isEmpty()) {
      return new AiaLoss(StageSchedule.paperDefault(), options);
    }
    StageSchedule.rejectUnknown(
        "aia loss config",
        schedule,
        Set.of("mode", "layers", "generation", "understanding", BOS_AS_TEXT, AGGREGATION, UNDERSTANDING_QUERIES));
    return new AiaLoss(StageSchedule.fromJson(schedule), options);
  }

  /**
   * @param options the options to record
   * @param config a loss config (schedule fields and maybe options)
   * @return a copy of {@code config} with {@code options} written into it
   */
  public static ObjectNode withOptions(JsonNode config, AiaOptions options) {
    ObjectNode copy = config != null && config.isObject() ? ((ObjectNode) config).deepCopy()
        : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    copy.put(AGGREGATION, options.aggregation().label());
    copy.put(BOS_AS_TEXT, options.bosAsText());
    copy.put(UNDERSTANDING_QUERIES, options.answerQueries().label());
    return copy;
  }

  private static String text(String field, JsonNode value) {
    if (!value.isTextual()) {
      throw new IllegalArgumentException(field + " must be a string, got " + value);
    }
    return value.textValue();
  }
}
