package org.aia4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.aia4j.api.benchmark.ProgressListener;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.inference.checkpoint.TextModel;
import org.aia4j.inference.decode.TextEngine;
import org.aia4j.inference.hf.HfImport;
import org.aia4j.inference.profile.ExplicitSequence;
import org.aia4j.testkit.PythonFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Text continuation and explicit-sequence profiling on every engine that runs raw ids (DJL and
 * ONNX Runtime), on the tiny Hugging Face LLaMA, read in place and imported, against the float64
 * reference of {@code hf/llama_reference.py}: greedy ids identical, alone and in a left-padded
 * batch; {@code I_l} within 1e-5 of the value computed here in plain Java from the reference's
 * attention probabilities.
 */
class TextEnginesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int[][] SEQUENCES = {
    {1, 5, 9, 3, 7, 11, 13, 2, 40, 41},
    {1, 2, 40, 33},
    {1, 60, 61, 62, 63, 17, 8},
  };
  private static final int[][] QUERIES = {{8, 9}, {3}, {4, 5, 6}};
  private static final int[][] KEYS = {{1, 2, 3, 4, 5}, {0, 1}, {1, 2, 3}};
  private static final int GREEDY = 6;

  private static Path hf;
  private static Path imported;
  private static JsonNode reference;
  private static final Map<String, TextEngine> ENGINES = new java.util.LinkedHashMap<>();

  @BeforeAll
  static void load() throws Exception {
    PythonFixtures.requireModule("torch", "python3-torch");
    hf = PythonFixtures.tinyLlama();
    Path work = Files.createTempDirectory("text-engine");
    imported = work.resolve("imported");
    HfImport.run(hf, imported, ProgressListener.none());
    reference = JSON.readTree(PythonFixtures.llamaReference(hf, SEQUENCES, GREEDY).toFile());
    for (String name : TextEngines.NAMES) {
      ENGINES.put(name, TextEngines.open(TextModel.open(imported), name));
    }
  }

  @AfterAll
  static void close() {
    ENGINES.values().forEach(TextEngine::close);
  }

  static List<String> engines() {
    return TextEngines.NAMES;
  }

  @ParameterizedTest
  @MethodSource("engines")
  void greedyContinuationsEqualTheReferenceFromTheImportAndFromTheHfDirectory(String name) throws Exception {
    TextEngine engine = ENGINES.get(name);
    try (TextEngine inPlace = TextEngines.open(TextModel.open(hf), name)) {
      for (int s = 0; s < SEQUENCES.length; s++) {
        int[] expected = new int[GREEDY];
        for (int i = 0; i < GREEDY; i++) {
          expected[i] = reference.get("greedy").get(s).get(i).asInt();
        }
        assertThat(engine.complete(SEQUENCES[s], GREEDY, SamplingSettings.greedy(), OptionalInt.empty()))
            .as("imported, sequence %d", s).containsExactly(expected);
        assertThat(inPlace.complete(SEQUENCES[s], GREEDY, SamplingSettings.greedy(), OptionalInt.empty()))
            .as("in place, sequence %d", s).containsExactly(expected);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("engines")
  void aLeftPaddedBatchContinuesEveryRowAsAlone(String name) {
    TextEngine engine = ENGINES.get(name);
    int[][] batch = engine.completeBatch(SEQUENCES, GREEDY, SamplingSettings.greedy(), OptionalInt.empty());
    for (int s = 0; s < SEQUENCES.length; s++) {
      int[] expected = new int[GREEDY];
      for (int i = 0; i < GREEDY; i++) {
        expected[i] = reference.get("greedy").get(s).get(i).asInt();
      }
      assertThat(batch[s]).as("row %d", s).containsExactly(expected);
    }
  }

  @ParameterizedTest
  @MethodSource("engines")
  void aStopIdEndsTheContinuationAndIsKept(String name) {
    TextEngine engine = ENGINES.get(name);
    int[] free = engine.complete(SEQUENCES[0], GREEDY, SamplingSettings.greedy(), OptionalInt.empty());
    int[] stopped = engine.complete(SEQUENCES[0], GREEDY, SamplingSettings.greedy(), OptionalInt.of(free[1]));
    int firstStop = free[0] == free[1] ? 0 : 1;
    assertThat(stopped).hasSize(firstStop + 1).endsWith(free[1]);
  }

  @ParameterizedTest
  @MethodSource("engines")
  void sampledContinuationsRepeatWithTheirSeed(String name) {
    TextEngine engine = ENGINES.get(name);
    SamplingSettings hot = new SamplingSettings(1.0, 1.5, 0, 7L);
    int[] first = engine.complete(SEQUENCES[1], 12, hot, OptionalInt.empty());
    assertThat(engine.complete(SEQUENCES[1], 12, hot, OptionalInt.empty())).containsExactly(first);
  }

  @ParameterizedTest
  @MethodSource("engines")
  void interactionOnExplicitSequencesEqualsTheReferenceAttention(String name) {
    TextEngine engine = ENGINES.get(name);
    List<ExplicitSequence> sequences = List.of(
        new ExplicitSequence(SEQUENCES[0], QUERIES[0], KEYS[0]),
        new ExplicitSequence(SEQUENCES[1], QUERIES[1], KEYS[1]),
        new ExplicitSequence(SEQUENCES[2], QUERIES[2], KEYS[2]));
    List<double[]> measured = engine.interaction(sequences);
    assertThat(measured).hasSize(3);
    for (int s = 0; s < 3; s++) {
      JsonNode layers = reference.get("attention").get(s);
      assertThat(measured.get(s)).hasSize(layers.size());
      for (int l = 0; l < layers.size(); l++) {
        assertThat(Math.abs(measured.get(s)[l] - referenceInteraction(layers.get(l), QUERIES[s], KEYS[s])))
            .as("sequence %d layer %d", s, l).isLessThan(1e-5);
      }
    }
  }

  /** I_l = mean over heads and queries of the attention mass on the keys, from (H, T, T). */
  private static double referenceInteraction(JsonNode attention, int[] queries, int[] keys) {
    double total = 0;
    for (JsonNode head : attention) {
      for (int q : queries) {
        for (int k : keys) {
          total += head.get(q).get(k).asDouble();
        }
      }
    }
    return total / (attention.size() * queries.length);
  }

  @Test
  void aTextPromptGetsBosOnceAsTheTokenizerSays() throws Exception {
    TextModel model = TextModel.open(imported);
    JsonNode vocab = JSON.readTree(hf.resolve("tokenizer.json").toFile()).path("model").path("vocab");
    assertThat(model.text().prompt("how many red circle")).containsExactly(1, vocab.get("how").asInt(),
        vocab.get("many").asInt(), vocab.get("red").asInt(), vocab.get("circle").asInt());
    assertThat(model.text().stop()).hasValue(2);
    assertThat(TextModel.open(hf).text().prompt("how many red circle")).containsExactly(model.text().prompt("how many red circle"));
  }

  @ParameterizedTest
  @MethodSource("engines")
  void promptsTheModelCannotHoldAreRefused(String name) {
    TextEngine engine = ENGINES.get(name);
    assertThatThrownBy(() -> engine.complete(new int[] {1, 64}, 2, SamplingSettings.greedy(), OptionalInt.empty()))
        .hasMessageContaining("id 64 is outside the model's vocabulary");
    assertThatThrownBy(() -> engine.complete(new int[] {1, 2}, 127, SamplingSettings.greedy(), OptionalInt.empty()))
        .hasMessageContaining("128 positions");
    assertThatThrownBy(() -> engine.complete(new int[0], 2, SamplingSettings.greedy(), OptionalInt.empty()))
        .hasMessageContaining("empty");
  }
}
