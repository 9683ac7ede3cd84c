package org.aia4j.djl.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.aia4j.djl.io.ModelWeights;
import org.aia4j.inference.hf.HfConfig;
import org.aia4j.inference.hf.HfLlama;
import org.aia4j.inference.hf.HfWeights;
import org.aia4j.inference.model.ModelConfig;
import org.aia4j.testkit.PythonFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The LLaMA family against a float64 reference written from the published definition ({@code
 * hf/llama_reference.py} on {@code python3-torch}), on the tiny Hugging Face checkpoint of {@code
 * hf/make_tiny_llama.py} (BF16, two shards, grouped-query attention 4:2, rope_theta 500000, untied
 * head). Every sequence runs alone in the reference; here full passes, the KV cache and left-padded
 * batches must all give its values. Tolerances: 1e-4 on logits (of order 1), 1e-5 on attention
 * probabilities, float32 against float64. {@link ChameleonReferenceTest} runs the same checks on
 * the checkpoint's Chameleon twin.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LlamaReferenceTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int[][] SEQUENCES = {
    {1, 5, 9, 3, 7, 11, 13, 2, 40, 41},
    {1, 2, 40, 33},
    {1, 60, 61, 62, 63, 17, 8},
  };
  private static final int GREEDY = 6;

  private NDManager manager;
  private UnifiedTransformer model;
  private ParameterStore ps;
  private JsonNode reference;

  /** @return the Hugging Face checkpoint under test */
  Path checkpoint() throws Exception {
    return PythonFixtures.tinyLlama();
  }

  /** @return whether the checkpoint normalises queries and keys per head */
  boolean qkNorm() {
    return false;
  }

  @BeforeAll
  void load() throws Exception {
    PythonFixtures.requireModule("torch", "python3-torch");
    Path checkpoint = checkpoint();
    ModelConfig config = HfLlama.modelConfig(HfConfig.read(checkpoint));
    manager = NDManager.newBaseManager("PyTorch");
    model = new UnifiedTransformer(config);
    try (HfWeights weights = HfWeights.open(checkpoint)) {
      ModelWeights.load(model, manager, weights.source(), HfLlama.read(weights, config));
    }
    ps = new ParameterStore(manager, false);
    reference = JSON.readTree(PythonFixtures.llamaReference(checkpoint, SEQUENCES, GREEDY).toFile());
  }

  @AfterAll
  void close() {
    if (manager != null) {
      manager.close();
    }
  }

  @Test
  void importedConfigIsTheCheckpointsDecoder() {
    ModelConfig config = model.config();
    assertThat(config.architecture().isLlama()).isTrue();
    assertThat(config.kvHeads()).isEqualTo(2);
    assertThat(config.heads()).isEqualTo(4);
    assertThat(config.architecture().ropeTheta()).isEqualTo(500_000.0);
    assertThat(config.architecture().tiedHead()).isFalse();
    assertThat(config.architecture().qkNorm()).isEqualTo(qkNorm());
  }

  @Test
  void fullPassLogitsAndAttentionEqualTheReference() {
    for (int s = 0; s < SEQUENCES.length; s++) {
      try (NDManager step = manager.newSubManager()) {
        int[] ids = SEQUENCES[s];
        NDArray tokens = step.create(ids, new Shape(1, ids.length)).toType(DataType.INT64, false);
        ForwardOutput out = model.forward(ps, tokens, ForwardOptions.capturing(Capture.PROBABILITIES));
        double[][] logits = rows(out.logits().get(0));
        assertThat(maxDifference(logits, expectedLogits(s, 0, ids.length))).as("sequence %d", s).isLessThan(1e-4);
        for (int l = 0; l < out.attentions().size(); l++) {
          double[] attention = toDoubles(out.attentions().get(l).get(0).toFloatArray());
          double[] expected = flatten(reference.get("attention").get(s).get(l));
          assertThat(attention).hasSameSizeAs(expected);
          assertThat(maxDifference(attention, expected)).as("sequence %d layer %d", s, l).isLessThan(1e-5);
        }
      }
    }
  }

  @Test
  void leftPaddedBatchWithTheCacheEqualsTheReference() {
    // Prefill the first three tokens of every sequence in one left-padded batch (so the rows
    // start at different slots), then feed the rest one token per step; rows that have run out
    // are fed a filler whose logits are not checked.
    int longest = Arrays.stream(SEQUENCES).mapToInt(a -> a.length).max().orElseThrow();
    int prefill = 3;
    int b = SEQUENCES.length;
    int[] padding = new int[b];
    int[][] padded = new int[b][];
    for (int s = 0; s < b; s++) {
      int pad = longest - SEQUENCES[s].length;
      padding[s] = pad;
      padded[s] = new int[longest];
      System.arraycopy(SEQUENCES[s], 0, padded[s], pad, SEQUENCES[s].length);
    }
    try (NDManager step = manager.newSubManager();
        KvCache cache = new KvCache(step, model.config().layers(), padding)) {
      int slot = 0;
      while (slot < longest) {
        int width = slot == 0 ? prefill + Arrays.stream(padding).max().orElseThrow() : 1;
        width = Math.min(width, longest - slot);
        int[] chunk = new int[b * width];
        for (int s = 0; s < b; s++) {
          System.arraycopy(padded[s], slot, chunk, s * width, width);
        }
        NDArray tokens = step.create(chunk, new Shape(b, width)).toType(DataType.INT64, false);
        NDArray logits = model.forward(ps, tokens, cache, ForwardOptions.logitsOnly()).logits();
        for (int s = 0; s < b; s++) {
          for (int i = 0; i < width; i++) {
            int position = slot + i - padding[s];
            if (position < 0) {
              continue; // a padding slot
            }
            double[] actual = toDoubles(logits.get(new NDIndex("{}, {}, :", s, i)).toFloatArray());
            double[] expected = toDoubles(reference.get("logits").get(s).get(position));
            assertThat(maxDifference(actual, expected)).as("sequence %d position %d", s, position).isLessThan(1e-4);
          }
        }
        slot += width;
      }
    }
  }

  @Test
  void greedyContinuationsWithTheCacheEqualTheReference() {
    for (int s = 0; s < SEQUENCES.length; s++) {
      try (NDManager step = manager.newSubManager();
          KvCache cache = new KvCache(step, model.config().layers())) {
        int[] ids = SEQUENCES[s];
        NDArray next = step.create(ids, new Shape(1, ids.length)).toType(DataType.INT64, false);
        List<Integer> generated = new ArrayList<>();
        for (int n = 0; n < GREEDY; n++) {
          NDArray logits = model.forward(ps, next, cache, ForwardOptions.logitsOnly()).logits();
          long t = logits.getShape().get(1);
          int id = (int) logits.get(new NDIndex("0, {}, :", t - 1)).argMax().getLong();
          generated.add(id);
          next = step.create(new long[] {id}, new Shape(1, 1));
        }
        List<Integer> expected = new ArrayList<>();
        reference.get("greedy").get(s).forEach(v -> expected.add(v.asInt()));
        assertThat(generated).as("sequence %d", s).isEqualTo(expected);
      }
    }
  }

  private double[][] expectedLogits(int sequence, int from, int to) {
    double[][] out = new double[to - from][];
    for (int p = from; p < to; p++) {
      out[p - from] = toDoubles(reference.get("logits").get(sequence).get(p));
    }
    return out;
  }

  private static double[][] rows(NDArray matrix) {
    int t = (int) matrix.getShape().get(0);
    double[][] out = new double[t][];
    for (int p = 0; p < t; p++) {
      out[p] = toDoubles(matrix.get(p).toFloatArray());
    }
    return out;
  }

  private static double[] toDoubles(float[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  private static double[] toDoubles(JsonNode array) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asDouble();
    }
    return out;
  }

  private static double[] flatten(JsonNode nested) {
    List<Double> values = new ArrayList<>();
    collect(nested, values);
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static void collect(JsonNode node, List<Double> into) {
    if (node.isArray()) {
      node.forEach(child -> collect(child, into));
    } else {
      into.add(node.asDouble());
    }
  }

  private static double maxDifference(double[] a, double[] b) {
    assertThat(a).hasSameSizeAs(b);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  private static double maxDifference(double[][] a, double[][] b) {
    assertThat(a.length).isEqualTo(b.length);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, maxDifference(a[i], b[i]));
    }
    return max;
  }
}
