package org.aia4j.api.model;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
   * Measures this model's per-layer interaction masses {@code I_l} for a task on data the model
   * chooses (e.g. its validation set). Models that can expose their attention override this; the
   * default says the model cannot.
   *
   * @param task which interaction to measure
   * @param samples how many samples to average over
   * @return the profile, or empty when this model cannot be inspected
   */
  default Optional<InteractionProfile> interactions(Task task, int samples) {
    return Optional.empty();
  }

  /**
   * Measures this model's per-layer interaction masses {@code I_l} for a task on the given data.
   * The default measures on the data the model chooses ({@link #interactions(Task, int)}).
   *
   * @param task which interaction to measure
   * @param data the samples to measure on
   * @param samples how many samples to average over
   * @return the profile, or empty when this model cannot be inspected
   */
  default Optional<InteractionProfile> interactions(Task task, org.aia4j.api.data.TrainingData data, int samples) {
    return interactions(task, samples);
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
