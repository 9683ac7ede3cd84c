package org.aia4j.evaluation.run;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.aia4j.api.interaction.AnswerQueries;
import org.aia4j.api.interaction.InteractionRoles;
import org.aia4j.api.model.Task;

/**
 * The query and key sets an evaluation's interaction curves are measured with (docs/design.md
 * section 3.1): a run trained with BOS out of the keys, or with the answer's predicting rows as
 * queries, is measured the way it was trained.
 *
 * @param bosAsText whether BOS is a key of a generation sample
 * @param answerQueries which rows of an understanding sample are its queries (null reads as the default)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CurveOptions(boolean bosAsText, AnswerQueries answerQueries) {
  /** The sets of {@link InteractionRoles#of(Task)}. */
  public static final CurveOptions DEFAULTS = new CurveOptions(InteractionRoles.DEFAULT_BOS_AS_TEXT, AnswerQueries.DEFAULT);

  public CurveOptions {
    answerQueries = answerQueries == null ? AnswerQueries.DEFAULT : answerQueries;
  }

  /** @return the sets of {@code task} with these options */
  public InteractionRoles toRoles(Task task) {
    return new InteractionRoles(task, bosAsText, answerQueries);
  }

  /** @return whether these are the default sets */
  @JsonIgnore
  public boolean isDefault() {
    return equals(DEFAULTS);
  }
}
