package org.aia4j.inference.decode;

import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.aia4j.api.model.AnswerRequest;
import org.aia4j.api.model.GenerationRequest;
import org.aia4j.api.model.ModelInfo;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.api.model.TextCompletion;
import org.aia4j.api.model.UnifiedModel;
import org.aia4j.inference.checkpoint.TextModel;

/**
 * A decoder without an image layout (an imported Hugging Face model, or its directory) as a
 * {@link UnifiedModel}: it continues text ({@link #textCompletion()}); answering about images and
 * drawing them need the model's image-token layout, which it does not have, and are refused with
 * that reason.
 */
public final class TextOnlyModel implements UnifiedModel {
  private final TextModel model;
  private final TextEngine engine;
  private final TextCompletion completion;

  /**
   * @param model the decoder's files
   * @param engine the engine that runs it; closed with this model
   */
  public TextOnlyModel(TextModel model, TextEngine engine) {
    this.model = model;
    this.engine = engine;
    this.completion = new TextCompletion() {
      @Override
      public int[] encode(String prompt) {
        return model.text().prompt(prompt);
      }

      @Override
      public String decode(int[] ids) {
        return model.text().decode(ids);
      }

      @Override
      public OptionalInt stop() {
        return model.text().stop();
      }

      @Override
      public int contextLength() {
        return model.model().maxLength();
      }

      @Override
      public int vocabularySize() {
        return model.model().vocabSize();
      }

      @Override
      public int[][] complete(int[][] prompts, int maxTokens, SamplingSettings sampling, boolean stopAtEnd) {
        synchronized (engine) { // an engine runs one batch at a time
          return engine.completeBatch(prompts, maxTokens, sampling, stopAtEnd ? stop() : OptionalInt.empty());
        }
      }
    };
  }

  @Override
  public String name() {
    return model.dir().toAbsolutePath().normalize().getFileName().toString();
  }

  private UnsupportedOperationException noLayout(String what) {
    return new UnsupportedOperationException(model.dir() + " is " + model.source() + " without an image-token layout: "
        + "it cannot " + what + "; it continues text (aia complete, POST /v1/completions)");
  }

  @Override
  public List<String> answer(List<AnswerRequest> requests) {
    throw noLayout("answer questions about images");
  }

  @Override
  public List<List<BufferedImage>> generate(List<GenerationRequest> requests) {
    throw noLayout("generate images");
  }

  @Override
  public Optional<TextCompletion> textCompletion() {
    return Optional.of(completion);
  }

  @Override
  public ModelInfo info() {
    Map<String, String> provenance = new LinkedHashMap<>();
    provenance.put("source", model.source());
    provenance.put("directory", model.dir().toAbsolutePath().normalize().toString());
    provenance.put("family", model.model().architecture().family().id());
    return new ModelInfo(name(), engine.engine(), model.model().layers(), provenance);
  }

  @Override
  public void close() {
    engine.close();
  }
}
