package org.aia4j.api.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelValuesTest {

  private static final BufferedImage IMAGE =
      new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);

  @Test
  void taskParsesShortAndLongNamesInAnyCase() {
    assertThat(Task.parse("und")).isEqualTo(Task.UNDERSTANDING);
    assertThat(Task.parse(" Generation ")).isEqualTo(Task.GENERATION);
    assertThat(Task.parse("GEN")).isEqualTo(Task.GENERATION);
    assertThat(Task.UNDERSTANDING.shortName()).isEqualTo("und");
    assertThatThrownBy(() -> Task.parse("vqa"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unknown task 'vqa'. Known tasks: und (understanding), gen (generation).");
    assertThatThrownBy(() -> Task.parse(null)).hasMessageContaining("Unknown task 'null'");
  }

  @Test
  void samplingDefaultsAreTheMeasuredBest() {
    assertThat(SamplingSettings.defaults()).isEqualTo(new SamplingSettings(2.0, 1.0, 0, 0));
    assertThat(SamplingSettings.greedy().isGreedy()).isTrue();
    assertThat(SamplingSettings.defaults().withSeed(7).seed()).isEqualTo(7);
  }

  @Test
  void samplingRejectsBadValuesByName() {
    assertThatThrownBy(() -> new SamplingSettings(2, -0.5, 0, 0))
        .hasMessage("temperature must be finite and >= 0 (0 = greedy), got -0.5");
    assertThatThrownBy(() -> new SamplingSettings(2, Double.NaN, 0, 0))
        .hasMessageContaining("temperature");
    assertThatThrownBy(() -> new SamplingSettings(2, 1, -1, 0))
        .hasMessage("topK must be >= 0 (0 = no cut-off), got -1");
    assertThatThrownBy(() -> new SamplingSettings(Double.POSITIVE_INFINITY, 1, 0, 0))
        .hasMessage("cfgWeight must be a finite number, got Infinity");
  }

  @Test
  void answerRequestIsValidated() {
    var request = new AnswerRequest(IMAGE, "What shape?", 4);
    assertThat(request.sampling()).isEqualTo(SamplingSettings.greedy());

    assertThatThrownBy(() -> new AnswerRequest(null, "What shape?", 4))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("image must not be null");
    assertThatThrownBy(() -> new AnswerRequest(IMAGE, "  ", 4))
        .hasMessage("prompt must not be blank");
    assertThatThrownBy(() -> new AnswerRequest(IMAGE, "What shape?", 0))
        .hasMessage("maxNewTokens must be > 0, got 0");
    assertThatThrownBy(() -> new AnswerRequest(IMAGE, "What shape?", 4, null))
        .hasMessage("sampling must not be null");
  }

  @Test
  void generationRequestAllowsAnEmptyPromptButNotZeroSamples() {
    assertThat(new GenerationRequest("", 1).sampling()).isEqualTo(SamplingSettings.defaults());
    assertThatThrownBy(() -> new GenerationRequest("a red circle", 0))
        .hasMessage("samples must be > 0, got 0");
    assertThatThrownBy(() -> new GenerationRequest(null, 1)).hasMessageContaining("prompt");
  }

  @Test
  void interactionProfileChecksItsCurve() {
    var profile =
        new InteractionProfile(Task.GENERATION, List.of(0.41, 0.2), List.of(0.05, 0.0), 64);
    assertThat(profile.layers()).isEqualTo(2);

    assertThatThrownBy(
            () -> new InteractionProfile(Task.GENERATION, List.of(0.4, 0.2), List.of(0.1), 64))
        .hasMessage("mean and std must have one value per layer each, got 2 and 1");
    assertThatThrownBy(
            () ->
                new InteractionProfile(
                    Task.UNDERSTANDING, List.of(0.4, 1.2), List.of(0.1, 0.1), 8))
        .hasMessage("mean[1] must be an interaction mass in [0, 1], got 1.2");
    assertThatThrownBy(
            () -> new InteractionProfile(Task.UNDERSTANDING, List.of(Double.NaN), List.of(0.1), 8))
        .hasMessageContaining("mean[0]");
    assertThatThrownBy(
            () -> new InteractionProfile(Task.UNDERSTANDING, List.of(0.3), List.of(-0.1), 8))
        .hasMessage("std[0] must be finite and >= 0, got -0.1");
    assertThatThrownBy(() -> new InteractionProfile(Task.UNDERSTANDING, List.of(), List.of(), 8))
        .hasMessageContaining("got none");
    assertThatThrownBy(
            () -> new InteractionProfile(Task.UNDERSTANDING, List.of(0.3), List.of(0.1), 0))
        .hasMessage("samples must be > 0, got 0");
  }

  @Test
  void interactionProfileCannotBeChangedThroughTheListItWasGiven() {
    List<Double> mean = Arrays.asList(0.1, 0.2);
    var profile = new InteractionProfile(Task.GENERATION, mean, List.of(0.0, 0.0), 1);

    mean.set(0, 0.9);

    assertThat(profile.mean()).containsExactly(0.1, 0.2);
  }

  @Test
  void modelInfoKeepsProvenanceOrderAndRejectsNulls() {
    Map<String, String> provenance = new LinkedHashMap<>();
    provenance.put("seed", "42");
    provenance.put("data", "world-v1");
    var info = new ModelInfo("small", "djl", 4, provenance);

    assertThat(info.provenance().keySet()).containsExactly("seed", "data");
    assertThatThrownBy(() -> info.provenance().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
    provenance.put("lr", null);
    assertThatThrownBy(() -> new ModelInfo("small", "djl", 4, provenance))
        .hasMessage("provenance['lr'] must not be null");
    assertThatThrownBy(() -> new ModelInfo("small", "djl", -1, Map.of()))
        .hasMessage("layers must be >= 0 (0 = unknown), got -1");
  }

  @Test
  void aMinimalModelGetsDefaultInspectionAndInfo() {
    UnifiedModel minimal =
        new UnifiedModel() {
          @Override
          public String name() {
            return "minimal";
          }

          @Override
          public List<String> answer(List<AnswerRequest> requests) {
            return List.of();
          }

          @Override
          public List<List<BufferedImage>> generate(List<GenerationRequest> requests) {
            return List.of();
          }

          @Override
          public void close() {}
        };

    assertThat(minimal.interactions(Task.UNDERSTANDING, null, 16)).isEmpty();
    assertThat(minimal.limits()).isEqualTo(ModelLimits.UNKNOWN);
    assertThat(minimal.limits().known()).isFalse();
    assertThat(minimal.promptTokens(Task.GENERATION, "a red square")).isEmpty();
    assertThat(minimal.textTokenizer()).isEmpty();
    // A model that cannot stream still answers through the streaming call, and tells nothing.
    java.util.List<Integer> told = new java.util.ArrayList<>();
    assertThat(minimal.answer(List.of(), (request, id) -> told.add(id))).isEmpty();
    assertThat(told).isEmpty();
    assertThat(minimal.info()).isEqualTo(new ModelInfo("minimal", "unknown", 0, Map.of()));
  }
}
