package org.aia4j.onnx.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.aia4j.inference.decode.Decoding;
import org.aia4j.inference.decode.LeftPadding;
import org.aia4j.inference.decode.PrefillGroups;
import org.aia4j.inference.hf.HfConfig;
import org.aia4j.inference.hf.HfLlama;
import org.aia4j.inference.hf.HfWeights;
import org.aia4j.inference.io.SafeTensors;
import org.aia4j.inference.model.ModelConfig;
import org.aia4j.onnx.export.TransformerExporter;
import org.aia4j.testkit.PythonFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The llama graph against the float64 reference written from the published definition ({@code
 * hf/llama_reference.py} on {@code python3-torch}), on the tiny Hugging Face checkpoint of {@code
 * hf/make_tiny_llama.py} (BF16, two shards, grouped-query attention 4:2, rope_theta 500000, untied
 * head), as {@code LlamaReferenceTest} holds the DJL model to it. Every sequence runs alone in the
 * reference; here full passes, the two-part KV cache of {@link OnnxDecoding} (prefixes of
 * different lengths, prefilled in groups and left-padded) and left-padded batches must all give its
 * values. Tolerances: 1e-4 on logits (of order 1), 1e-5 on attention probabilities, float32
 * against float64. {@link OnnxChameleonReferenceTest} runs the same checks on the checkpoint's
 * Chameleon twin.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnnxLlamaReferenceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double LOGITS = 1e-4;
  private static final double ATTENTION = 1e-5;
  /** The DJL test's three sequences, and one long enough to be prefilled in a group of its own. */
  private static final int[][] SEQUENCES = {
    {1, 5, 9, 3, 7, 11, 13, 2, 40, 41},
    {1, 2, 40, 33},
    {1, 60, 61, 62, 63, 17, 8},
    IntStream.range(0, 40).map(i -> 1 + (7 * i + 3) % 63).toArray(),
  };
  private static final int GREEDY = 6;

  private ModelConfig config;
  private ModelProto graph;
  private OnnxSession plain;
  private OnnxSession withAttentions;
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
    config = HfLlama.modelConfig(HfConfig.read(checkpoint));
    Map<String, SafeTensors.Tensor> tensors;
    try (HfWeights weights = HfWeights.open(checkpoint)) {
      tensors = HfLlama.read(weights, config).tensors();
    }
    graph = new TransformerExporter(config, tensors, false).export(Map.of());
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    // One thread that sleeps between ops: the model is tiny, and the machine is shared.
    OnnxSession.Settings settings = new OnnxSession.Settings("cpu", 1, false, null);
    plain = OnnxSession.open(env, graph.toByteArray(), config, config.vocabSize(), "tiny-llama", settings);
    withAttentions = OnnxSession.open(env, new TransformerExporter(config, tensors, true).export(Map.of())
        .toByteArray(), config, config.vocabSize(), "tiny-llama (attentions)", settings);

    reference = JSON.readTree(PythonFixtures.llamaReference(checkpoint, SEQUENCES, GREEDY).toFile());
  }

  @AfterAll
  void close() {
    if (plain != null) {
      plain.close();
    }
    if (withAttentions != null) {
      withAttentions.close();
    }
  }

  @Test
  void theCacheHasTheKeyValueHeads() throws Exception {
    assertThat(config.architecture().isLlama()).isTrue();
    assertThat(config.heads()).isEqualTo(4);
    assertThat(config.kvHeads()).isEqualTo(2);
    assertThat(config.architecture().ropeTheta()).isEqualTo(500_000.0);
    assertThat(config.architecture().tiedHead()).isFalse();
    assertThat(config.architecture().qkNorm()).isEqualTo(qkNorm());
    int caches = 0;
    for (ValueInfoProto input : graph.getGraph().getInputList()) {
      if (input.getName().contains("key_values.")) {
        caches++;
        assertThat(input.getType().getTensorType().getShape().getDim(1).getDimValue()).as(input.getName())
            .isEqualTo(config.kvHeads());
        assertThat(input.getType().getTensorType().getShape().getDim(3).getDimValue()).as(input.getName())
            .isEqualTo(config.headDim());
      }
    }
    assertThat(caches).isEqualTo(4 * config.layers());
    for (ValueInfoProto output : graph.getGraph().getOutputList()) {
      if (output.getName().startsWith("present.")) {
        assertThat(output.getType().getTensorType().getShape().getDim(1).getDimValue()).as(output.getName())
            .isEqualTo(config.kvHeads());
      }
    }
    // ONNX Runtime reads the same signature, and a decoding's cache has that shape.
    long[] past = ((TensorInfo) plain.session().getInputInfo().get(OnnxSession.pastKey(0)).getInfo()).getShape();
    assertThat(past).containsExactly(-1, config.kvHeads(), -1, config.headDim());
    try (OrtSession.Result result = run(plain, LeftPadding.of(List.of(SEQUENCES[1])))) {
      for (int i = 0; i < config.layers(); i++) {
        for (String name : List.of(OnnxSession.presentKey(i), OnnxSession.presentValue(i))) {
          assertThat(((OnnxTensor) result.get(name).orElseThrow()).getInfo().getShape()).as(name)
              .containsExactly(1, config.kvHeads(), SEQUENCES[1].length, config.headDim());
        }
      }
    }
  }

  @Test
  void fullPassLogitsAndAttentionEqualTheReference() throws Exception {
    double logitError = 0;
    double attentionError = 0;
    for (int s = 0; s < SEQUENCES.length; s++) {
      int[] ids = SEQUENCES[s];
      try (OrtSession.Result result = run(withAttentions, LeftPadding.of(List.of(ids)));
          OrtSession.Result alone = run(plain, LeftPadding.of(List.of(ids)))) {
        float[] logits = floats(result, "logits");
        assertThat(floats(alone, "logits")).as("the graph without attention outputs").containsExactly(logits);
        for (int p = 0; p < ids.length; p++) {
          double error = maxDifference(row(logits, p), reference.get("logits").get(s).get(p));
          assertThat(error).as("sequence %d position %d", s, p).isLessThan(LOGITS);
          logitError = Math.max(logitError, error);
        }
        for (int l = 0; l < config.layers(); l++) {
          double[] expected = flatten(reference.get("attention").get(s).get(l));
          float[] attention = floats(result, "attentions." + l);
          assertThat(attention).hasSize(expected.length);
          double error = maxDifference(attention, expected);
          assertThat(error).as("sequence %d layer %d", s, l).isLessThan(ATTENTION);
          attentionError = Math.max(attentionError, error);
        }
      }
    }
    System.out.printf("llama full pass: max logit error %.3g, max attention error %.3g%n", logitError, attentionError);
  }

  @Test
  void leftPaddedBatchEqualsTheReference() throws Exception {
    // All four sequences in one run, left-padded to the longest, with the positions and mask the
    // decoding feeds (LeftPadding): each row's positions count from its first real token.
    LeftPadding batch = LeftPadding.of(Arrays.asList(SEQUENCES));
    double logitError = 0;
    try (OrtSession.Result result = run(plain, batch)) {
      float[] logits = floats(result, "logits");
      for (int s = 0; s < SEQUENCES.length; s++) {
        for (int p = 0; p < SEQUENCES[s].length; p++) {
          double error = maxDifference(row(logits, s * batch.length() + batch.padding()[s] + p),
              reference.get("logits").get(s).get(p));
          assertThat(error).as("sequence %d position %d", s, p).isLessThan(LOGITS);
          logitError = Math.max(logitError, error);
        }
      }
    }
    System.out.printf("llama left-padded batch: max logit error %.3g%n", logitError);
  }

  @Test
  void cachedDecodingOfUnequalPrefixesEqualsTheReference() {
    // Prefixes of 3, 1, 2 and 36 tokens: the long one is prefilled apart from the short ones and
    // the caches are laid side by side, left-padded; then every row is fed its sequence's next
    // token one step at a time (rows that have run out get a filler whose logits are not checked).
    int[] prefill = {3, 1, 2, 36};
    List<int[]> prefixes = new ArrayList<>();
    for (int s = 0; s < SEQUENCES.length; s++) {
      prefixes.add(Arrays.copyOf(SEQUENCES[s], prefill[s]));
    }
    assertThat(PrefillGroups.of(prefixes).groups()).as("prefill groups").hasSizeGreaterThan(1);
    double logitError = 0;
    int checked = 0;
    try (Decoding decoding = new OnnxDecoding(OrtEnvironment.getEnvironment(), plain)) {
      float[][] logits = decoding.start(prefixes);
      int[] position = prefill.clone(); // of the token whose logits are in hand, plus one
      int longest = Arrays.stream(SEQUENCES).mapToInt(a -> a.length).max().orElseThrow();
      for (int step = 0; step <= longest; step++) {
        int[] tokens = new int[SEQUENCES.length];
        boolean any = false;
        for (int s = 0; s < SEQUENCES.length; s++) {
          if (position[s] <= SEQUENCES[s].length) {
            double error = maxDifference(logits[s], reference.get("logits").get(s).get(position[s] - 1));
            assertThat(error).as("sequence %d position %d", s, position[s] - 1).isLessThan(LOGITS);
            logitError = Math.max(logitError, error);
            checked++;
          }
          if (position[s] < SEQUENCES[s].length) {
            tokens[s] = SEQUENCES[s][position[s]];
            any = true;
          }
          position[s]++;
        }
        if (!any) {
          break;
        }
        logits = decoding.next(tokens);
      }
    }
    assertThat(checked).isEqualTo(Arrays.stream(SEQUENCES).mapToInt(a -> a.length).sum()
        - Arrays.stream(prefill).sum() + SEQUENCES.length);
    System.out.printf("llama KV-cache decoding: max logit error %.3g over %d positions%n", logitError, checked);
  }

  @Test
  void greedyContinuationsWithTheCacheEqualTheReference() {
    // Each sequence alone (no padding), then all four in one left-padded batch.
    for (int s = 0; s < SEQUENCES.length; s++) {
      assertThat(greedy(List.of(SEQUENCES[s])).get(0)).as("sequence %d alone", s).isEqualTo(expectedGreedy(s));
    }
    List<List<Integer>> batched = greedy(Arrays.asList(SEQUENCES));
    for (int s = 0; s < SEQUENCES.length; s++) {
      assertThat(batched.get(s)).as("sequence %d in the batch", s).isEqualTo(expectedGreedy(s));
    }
  }

  /** {@value #GREEDY} argmax steps of every row through {@link OnnxDecoding}. */
  private List<List<Integer>> greedy(List<int[]> prefixes) {
    List<List<Integer>> generated = new ArrayList<>();
    prefixes.forEach(p -> generated.add(new ArrayList<>()));
    try (Decoding decoding = new OnnxDecoding(OrtEnvironment.getEnvironment(), plain)) {
      float[][] logits = decoding.start(prefixes);
      for (int n = 0; n < GREEDY; n++) {
        int[] next = new int[prefixes.size()];
        for (int r = 0; r < next.length; r++) {
          next[r] = argmax(logits[r]);
          generated.get(r).add(next[r]);
        }
        if (n + 1 < GREEDY) {
          logits = decoding.next(next);
        }
      }
    }
    return generated;
  }

  private List<Integer> expectedGreedy(int sequence) {
    List<Integer> expected = new ArrayList<>();
    reference.get("greedy").get(sequence).forEach(v -> expected.add(v.asInt()));
    return expected;
  }

  /** One run without cache over a left-padded batch: its ids, mask and positions, every output. */
  private OrtSession.Result run(OnnxSession session, LeftPadding batch) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    long[] mask = new long[batch.rows() * batch.length()];
    for (int b = 0; b < batch.rows(); b++) {
      Arrays.fill(mask, b * batch.length() + batch.padding()[b], (b + 1) * batch.length(), 1L);
    }
    long[] shape = {batch.rows(), batch.length()};
    List<OnnxTensor> created = new ArrayList<>();
    try {
      Map<String, OnnxTensor> inputs = new HashMap<>();
      inputs.put("input_ids", add(created, OnnxTensor.createTensor(env, LongBuffer.wrap(batch.ids()), shape)));
      inputs.put("position_ids", add(created, OnnxTensor.createTensor(env, LongBuffer.wrap(batch.positions()), shape)));
      inputs.put("attention_mask", add(created, OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape)));
      OnnxTensor empty = add(created, OnnxTensor.createTensor(env, FloatBuffer.allocate(0),
          new long[] {batch.rows(), config.kvHeads(), 0, config.headDim()}));
      session.emptyCache(inputs, () -> empty);
      Set<String> outputs = new LinkedHashSet<>(session.session().getOutputNames());
      return session.session().run(inputs, outputs);
    } finally {
      created.forEach(OnnxTensor::close);
    }
  }

  private OnnxTensor add(List<OnnxTensor> created, OnnxTensor tensor) {
    created.add(tensor);
    return tensor;
  }

  private float[] floats(OrtSession.Result result, String name) {
    FloatBuffer buffer = ((OnnxTensor) result.get(name).orElseThrow()).getFloatBuffer();
    float[] out = new float[buffer.remaining()];
    buffer.get(out);
    return out;
  }

  /** Row {@code index} of flat {@code (rows, vocabulary)} logits. */
  private float[] row(float[] logits, int index) {
    int vocabulary = config.vocabSize();
    return Arrays.copyOfRange(logits, index * vocabulary, (index + 1) * vocabulary);
  }

  private double[] flatten(JsonNode nested) {
    List<Double> values = new ArrayList<>();
    collect(nested, values);
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private void collect(JsonNode node, List<Double> into) {
    if (node.isArray()) {
      node.forEach(child -> collect(child, into));
    } else {
      into.add(node.asDouble());
    }
  }

  private double maxDifference(float[] actual, JsonNode expected) {
    assertThat(actual).hasSize(expected.size());
    double max = 0;
    for (int i = 0; i < actual.length; i++) {
      max = Math.max(max, Math.abs(actual[i] - expected.get(i).asDouble()));
    }
    return max;
  }

  private double maxDifference(float[] actual, double[] expected) {
    double max = 0;
    for (int i = 0; i < actual.length; i++) {
      max = Math.max(max, Math.abs(actual[i] - expected[i]));
    }
    return max;
  }

  private int argmax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }
}
