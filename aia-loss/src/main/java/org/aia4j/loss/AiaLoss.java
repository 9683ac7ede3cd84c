package org.aia4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Objects;
import org.aia4j.api.interaction.InteractionRoles;
import org.aia4j.api.loss.LossInputs;
import org.aia4j.api.loss.LossTerms;
import org.aia4j.api.loss.TrainingLoss;
import org.aia4j.api.model.Task;

/**
 * The Attention Interaction Alignment loss (DESIGN section 3), per task:
 *
 * <pre>
 *   L_AIA = mean over qualifying samples b and layers l of Huber_{d_l}(I_l[b] - T_l)     (per sample, the default)
 *   L_AIA = mean over layers l of Huber_{d_l}(Ibar_l - T_l),  Ibar_l = mean of I_l[b]  (batch mean, an option)
 * </pre>
 *
 * <p>The first is the paper's released code ({@code HuberLoss} on each sample's {@code I_l}); it
 * divides by all {@code B} samples of the batch, counting a non-qualifying one as 0, where this
 * divides by the qualifying ones, so a batch's weight does not depend on how many prompts were
 * dropped. {@link AiaOptions} holds that choice, BOS handling and the understanding query set.
 *
 * <p>{@link #compute} returns {@code lambda_task * L_AIA}; the trainer adds it to its next-token
 * loss. A sample qualifies when its prompt was not dropped for classifier-free guidance and it
 * has queries. When none qualifies the result is a zero scalar, still attached to the masses'
 * graph (zero gradient, never NaN). Stateless: one instance serves a whole run.
 *
 * <p>{@link #compute(LossInputs)} cannot see the query sets, so it takes "has queries" from the
 * label mask (a sample with no supervised position has no answer resp. no image); a trainer that
 * knows the sets exactly calls {@link #evaluate(Task, NDList, NDArray)} with {@code (1 -
 * promptDropped) * InteractionStatistic.hasQueries(queryValid)}.
 */
public final class AiaLoss implements TrainingLoss {

  private final StageSchedule schedule;
  private final AiaOptions options;

  /**
   * @param schedule the per-task targets, thresholds and weights
   * @param options aggregation, BOS handling and understanding query set
   */
  public AiaLoss(StageSchedule schedule, AiaOptions options) {
    this.schedule = Objects.requireNonNull(schedule, "schedule must not be null");
    this.options = Objects.requireNonNull(options, "options must not be null");
  }

  /**
   * The loss with the default options but for BOS handling.
   *
   * @param schedule the per-task targets, thresholds and weights
   * @param bosAsText whether BOS counts as prompt text for generation ({@link #roles(Task)})
   */
  public AiaLoss(StageSchedule schedule, boolean bosAsText) {
    this(schedule, AiaOptions.DEFAULTS.withBosAsText(bosAsText));
  }

  /** @return the loss with the paper's schedule, the released code's weights and choices */
  public static AiaLoss paperDefault() {
    return new AiaLoss(StageSchedule.paperDefault(), AiaOptions.DEFAULTS);
  }

  @Override
  public String name() {
    return "aia";
  }

  /** @return the schedule */
  public StageSchedule schedule() {
    return schedule;
  }

  /** @return whether BOS counts as prompt text */
  public boolean bosAsText() {
    return options.bosAsText();
  }

  /** @return aggregation, BOS handling and understanding query set */
  public AiaOptions options() {
    return options;
  }

  /**
   * @param task a task
   * @return how the model should build that task's query and key sets for this loss
   */
  @Override
  public InteractionRoles roles(Task task) {
    return new InteractionRoles(task, options.bosAsText(), options.answerQueries());
  }

  /**
   * @param inputs a batch's forward-pass outputs, with one {@code (B)} mass array per layer
   * @return scalar {@code lambda_task * L_AIA}
   * @throws IllegalArgumentException when the inputs carry no interaction masses
   */
  @Override
  public NDArray compute(LossInputs inputs) {
    return evaluate(inputs).weighted();
  }

  /** @return true: the loss is a function of the interaction masses */
  @Override
  public boolean needsInteractions() {
    return true;
  }

  /** Resolves the schedule of both tasks for {@code layers} layers, which fails if it does not fit. */
  @Override
  public void requireFits(int layers) {
    schedule.resolve(Task.GENERATION, layers);
    schedule.resolve(Task.UNDERSTANDING, layers);
  }

  /** @return {@link #evaluate(LossInputs)}'s weighted and unweighted term and per-layer means */
  @Override
  public LossTerms terms(LossInputs inputs) {
    AiaTerms terms = evaluate(inputs);
    return new LossTerms(terms.weighted(), terms.unweighted(), terms.layerMeans());
  }

  /**
   * @param inputs a batch's forward-pass outputs, with one {@code (B)} mass array per layer
   * @return the weighted and unweighted term and the per-layer means, for logging
   * @throws IllegalArgumentException when the inputs carry no interaction masses
   */
  public AiaTerms evaluate(LossInputs inputs) {
    if (!inputs.hasInteractions()) {
      throw new IllegalArgumentException(
          "The AIA loss needs the interaction masses I_l of every layer, but this "
              + inputs.task().shortName()
              + " batch has none: the model's forward pass must compute them");
    }
    return evaluate(inputs.task(), inputs.interactionMasses(), qualifying(inputs));
  }

  /**
   * The AIA term from per-layer masses and explicit per-sample weights.
   *
   * @param task the batch's task
   * @param masses one {@code (B)} array of {@code I_l} per layer, all of one float type
   * @param qualifies {@code (B)} 0/1: which samples enter the means
   * @return the terms
   */
  public AiaTerms evaluate(Task task, NDList masses, NDArray qualifies) {
    Objects.requireNonNull(task, "task must not be null");
    if (masses == null || masses.isEmpty()) {
      throw new IllegalArgumentException("masses must hold one (B) array per layer");
    }
    NDArray first = masses.get(0);
    NDManager manager = first.getManager();
    DataType type = first.getDataType();
    long batch = first.getShape().get(0);
    if (!qualifies.getShape().equals(new Shape(batch))) {
      throw new IllegalArgumentException(
          "qualifies must be (B) = (" + batch + "), got " + qualifies.getShape());
    }
    int layers = masses.size();
    LayerTargets targets = schedule.resolve(task, layers);

    NDArray stacked = layers == 1 ? first.expandDims(0) : NDArrays.stack(masses); // (L, B)
    NDArray weights = qualifies.toType(type, false).reshape(1, batch);
    NDArray count = weights.sum();
    NDArray divisor = count.maximum(Scalars.like(count, 1));
    NDArray layerMeans = stacked.mul(weights).sum(new int[] {1}).div(divisor); // (L)
    NDArray target = manager.create(targets.target()).toType(type, false);
    NDArray delta = manager.create(targets.delta()).toType(type, false);
    NDArray any = count.gt(0).toType(type, false);
    NDArray unweighted =
        switch (options.aggregation()) {
          case BATCH_MEAN -> Huber.of(layerMeans.sub(target), delta).mean().mul(any);
          case PER_SAMPLE -> {
            NDArray penalties = Huber.of(stacked.sub(target.reshape(layers, 1)), delta.reshape(layers, 1));
            // Mean over layers, then over qualifying samples; 0 (still attached) when none qualifies.
            yield penalties.mean(new int[] {0}).mul(weights.reshape(batch)).sum().div(divisor);
          }
        };
    NDArray weighted = unweighted.mul(Scalars.like(unweighted, targets.lambda()));
    return new AiaTerms(task, targets.lambda(), weighted, unweighted, layerMeans, count, targets);
  }

  /**
   * Which samples of a batch enter the AIA means: not prompt-dropped, and with at least one
   * supervised position.
   *
   * @param inputs a batch
   * @return {@code (B)} 0/1 in the masses' float type (float32 if there are none)
   */
  public static NDArray qualifying(LossInputs inputs) {
    DataType type =
        inputs.hasInteractions()
            ? inputs.interactionMasses().get(0).getDataType()
            : DataType.FLOAT32;
    NDArray hasLabels = InteractionStatistic.hasQueries(inputs.labelMask()).toType(type, false);
    NDArray dropped = inputs.promptDropped();
    if (dropped == null) {
      return hasLabels;
    }
    NDArray kept = dropped.toType(type, false).gt(0).logicalNot().toType(type, false);
    return hasLabels.mul(kept);
  }
}
