package org.aia4j.api.model;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.aia4j.api.data.TrainingData;
import org.aia4j.api.interaction.InteractionRoles;
import org.aia4j.api.tokenizer.TextTokenizer;

/**
 * One autoregressive model that both answers questions about images and generates images. This
 * is all benchmarks and the server see of a model, whatever backend runs it.
 *
 * <p>Calls are batched: a benchmark hands over a batch of requests and the model decodes them
 * together. A model holds native or GPU memory, so it is {@link AutoCloseable}; use it with
 * try-with-resources. Unless an implementation says otherwise, a model is not thread-safe:
 * callers serialise access (the server does, through its batching executor).
 */
public interface UnifiedModel extends AutoCloseable {

  /** @return the model's name, as shown in reports and the server's model list */
  String name();

  /**
   * Answers questions about images.
   *
   * @param requests the batch; may be empty
   * @return one answer per request, in request order
   */
  List<String> answer(List<AnswerRequest> requests);

  /**
   * Generates images from prompts.
   *
   * @param requests the batch; may be empty
   * @return per request, in request order, its {@link GenerationRequest#samples()} images
   */
  List<List<BufferedImage>> generate(List<GenerationRequest> requests);

  /**
   * {@link #answer(List)}, telling {@code listener} each answer token as it is decoded and asking
   * it whether a request should stop. The default cannot stream: it answers the whole batch, then
   * tells nothing; models that decode token by token override it.
   *
   * @param requests the batch; may be empty
   * @param listener told every token that becomes part of an answer; may be null
   * @return one answer per request, in request order
   */
  default List<String> answer(List<AnswerRequest> requests, TokenListener listener) {
    return answer(requests);
  }

  /**
   * Opens a batch that requests join and leave step by step (continuous batching), for a server
   * that decodes requests as they arrive. Models whose engine cannot add rows to a running decode
   * return empty (the default); callers then batch whole calls of {@link #answer}.
   *
   * @return a new rolling batch over this model, closed by the caller, or empty
   */
  default Optional<RollingBatch> rollingBatch() {
    return Optional.empty();
  }

  /**
   * @return the sizes this model takes; {@link ModelLimits#UNKNOWN} by default, when the model
   *     checks requests itself
   */
  default ModelLimits limits() {
    return ModelLimits.UNKNOWN;
  }

  /**
   * The tokens the model reads before its first answer token ({@link Task#UNDERSTANDING}: image,
   * question and markers) or its first image token ({@link Task#GENERATION}: the prompt and
   * markers), so a caller can check a request against {@link #limits()} before it queues.
   *
   * @param task which prefix
   * @param prompt the question or the image prompt
   * @return the count, or empty when this model cannot say
   */
  default OptionalInt promptTokens(Task task, String prompt) {
    return OptionalInt.empty();
  }

  /**
   * @return the tokenizer whose ids {@link TokenListener#onToken} reports, or empty when the
   *     model does not expose it
   */
  default Optional<TextTokenizer> textTokenizer() {
    return Optional.empty();
  }

  /**
   * Measures this model's per-layer interaction masses {@code I_l} (DESIGN section 3) for a task
   * on the given data, averaged over {@code samples} of its samples. Models that can expose their
   * attention override this; the default says the model cannot.
   *
   * @param task which interaction to measure
   * @param data the samples to measure on, e.g. the run's training data (the profilers take
   *     samples the trainer never drew)
   * @param samples how many samples to average over
   * @return the profile, or empty when this model cannot be inspected
   */
  default Optional<InteractionProfile> interactions(Task task, TrainingData data, int samples) {
    return Optional.empty();
  }

  /**
   * {@link #interactions(Task, TrainingData, int)} with explicit query and key sets (BOS as text
   * or not, which answer rows are the understanding queries). The default serves only the
   * default sets, through the task-only method; the built-in backends serve any.
   *
   * @param roles the task and its query and key sets
   * @param data the samples to measure on
   * @param samples how many samples to average over
   * @return the profile, or empty when this model cannot be inspected with those sets
   */
  default Optional<InteractionProfile> interactions(InteractionRoles roles, TrainingData data, int samples) {
    return roles.equals(InteractionRoles.of(roles.task()))
        ? interactions(roles.task(), data, samples)
        : Optional.empty();
  }

  /**
   * @return whether {@link #answer} and {@link #generate} run on this model; false for a decoder
   *     that only continues text (an import without an image layout and image tokenizer), whose
   *     calls are refused. True by default.
   */
  default boolean handlesImages() {
    return true;
  }

  /**
   * The model's text continuation on raw ids, for a model that has one: an imported Hugging Face
   * decoder, whose ids are its tokenizer's. aia4j's own unified models answer and draw instead.
   *
   * @return its completion, or empty when it has none
   */
  default Optional<TextCompletion> textCompletion() {
    return Optional.empty();
  }

  /**
   * Describes the model for reports. The default knows only the name; backends override it to
   * add the depth and the checkpoint's provenance.
   *
   * @return the model's description
   */
  default ModelInfo info() {
    return new ModelInfo(name(), "unknown", 0, Map.of());
  }

  /** Releases the model's native and device memory. Closing twice does nothing. */
  @Override
  void close();
}
