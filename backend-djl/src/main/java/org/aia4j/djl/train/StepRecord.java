package org.aia4j.djl.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * One line of {@code metrics.jsonl}: what a step did. Per task ({@code und}, {@code gen}): the
 * next-token loss, the training loss's term (unweighted; the AIA loss unless {@code --loss} chose
 * another; reported even when the term is off, so runs with and without it are comparable) and the
 * per-layer interaction mass {@code I_l} (for a loss that reads it).
 *
 * @param step the step number, from 1
 * @param learningRate the rate used
 * @param loss the total optimised loss
 * @param tokenLoss next-token loss per task
 * @param lossName the name of the training loss whose term {@code aiaLoss} holds
 * @param aiaLoss that loss's unweighted term per task (the JSON key stays {@code aia}, which the
 *     reports read)
 * @param interaction per-layer mean {@code I_l} per task
 * @param gradientNorm global gradient norm before clipping (NaN: the update was skipped)
 * @param recomputed how many times the step's gradients were computed again because they were
 *     non-finite or far outside the run's recent norms (0 on a healthy step; see {@code
 *     GradientGuard})
 * @param tokens tokens processed in the step (padding excluded)
 * @param seconds wall time of the step
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StepRecord(
    long step,
    @JsonProperty("lr") double learningRate,
    double loss,
    @JsonProperty("ntp") Map<String, Double> tokenLoss,
    @JsonProperty("loss_name") String lossName,
    @JsonProperty("aia") Map<String, Double> aiaLoss,
    @JsonProperty("interaction") Map<String, double[]> interaction,
    @JsonProperty("grad_norm") double gradientNorm,
    int recomputed,
    long tokens,
    double seconds) {

  /** Tokens per second of the step. */
  @JsonProperty("tokens_per_s")
  public double tokensPerSecond() {
    return seconds > 0 ? tokens / seconds : 0;
  }
}
