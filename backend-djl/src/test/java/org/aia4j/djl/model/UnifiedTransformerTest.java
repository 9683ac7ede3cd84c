package org.aia4j.djl.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.aia4j.api.model.Task;
import org.aia4j.inference.model.ModelConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UnifiedTransformerTest {

  private static final ModelConfig CONFIG =
      new ModelConfig(2, 32, 4, 48, 24, 40, 11);

  private static NDManager manager;
  private static UnifiedTransformer model;
  private static ParameterStore ps;

  @BeforeAll
  static void setUp() {
    manager = NDManager.newBaseManager("PyTorch");
    model = new UnifiedTransformer(CONFIG);
    model.initialize(manager);
    // Perturb the norms and biases away from 1/0 so the reference checks use every parameter.
    Random random = new Random(5);
    for (Parameter p : model.namedParameters().values()) {
      if (p.getType() != Parameter.Type.WEIGHT) {
        NDArray a = p.getArray();
        float[] v = a.toFloatArray();
        for (int i = 0; i < v.length; i++) {
          v[i] += (float) (0.1 * random.nextGaussian());
        }
        a.set(v);
      }
    }
    ps = new ParameterStore(manager, false);
  }

  @AfterAll
  static void tearDown() {
    manager.close();
  }

  static int[][] randomTokens(Random random, int batch, int length, int vocab) {
    int[][] tokens = new int[batch][length];
    for (int[] row : tokens) {
      for (int t = 0; t < length; t++) {
        row[t] = random.nextInt(vocab);
      }
    }
    return tokens;
  }

  static NDArray toArray(NDManager m, int[][] tokens) {
    long[] flat = new long[tokens.length * tokens[0].length];
    for (int b = 0; b < tokens.length; b++) {
      for (int t = 0; t < tokens[b].length; t++) {
        flat[b * tokens[b].length + t] = tokens[b][t];
      }
    }
    return m.create(flat, new Shape(tokens.length, tokens[0].length));
  }

  @Test
  void forwardMatchesTheFloat64Reference() {
    ReferenceTransformer reference =
        new ReferenceTransformer(CONFIG, ReferenceTransformer.read(model));
    Random random = new Random(1);
    int[][] shapes = {{1, 1}, {1, 7}, {3, 12}, {2, CONFIG.maxLength()}};
    for (int[] bt : shapes) {
      int[][] tokens = randomTokens(random, bt[0], bt[1], CONFIG.vocabSize());
      try (NDManager step = manager.newSubManager()) {
        ForwardOutput out = model.forward(ps, toArray(step, tokens), ForwardOptions.capturing(Capture.PROBABILITIES));
        assertThat(out.logits().getShape())
            .isEqualTo(new Shape(bt[0], bt[1], CONFIG.vocabSize()));
        float[] logits = out.logits().toFloatArray();
        double maxError = 0;
        double maxLogit = 0;
        for (int b = 0; b < bt[0]; b++) {
          ReferenceTransformer.Result expected = reference.forward(tokens[b]);
          for (int t = 0; t < bt[1]; t++) {
            for (int v = 0; v < CONFIG.vocabSize(); v++) {
              double e = expected.logits()[t][v];
              double a = logits[(b * bt[1] + t) * CONFIG.vocabSize() + v];
              maxError = Math.max(maxError, Math.abs(a - e));
              maxLogit = Math.max(maxLogit, Math.abs(e));
            }
          }
          // Layer 1's probabilities too (they depend on layer 0's whole output).
          float[] probs = out.attentions().get(1).get(b).toFloatArray();
          int t = bt[1];
          for (int h = 0; h < CONFIG.heads(); h++) {
            for (int i = 0; i < t; i++) {
              for (int j = 0; j < t; j++) {
                assertThat((double) probs[(h * t + i) * t + j])
                    .isCloseTo(expected.probabilities()[1][h][i][j], within(1e-5));
              }
            }
          }
        }
        assertThat(maxLogit).as("logits are not trivially small").isGreaterThan(0.1);
        assertThat(maxError).as("max |djl - reference| for B,T=%s,%s", bt[0], bt[1]).isLessThan(1e-4);
      }
    }
  }

  @Test
  void changingTokenTLeavesEarlierLogitsUnchanged() {
    Random random = new Random(2);
    int[][] tokens = randomTokens(random, 2, 16, CONFIG.vocabSize());
    int[][] changed = new int[2][];
    int at = 9;
    for (int b = 0; b < 2; b++) {
      changed[b] = tokens[b].clone();
      changed[b][at] = (tokens[b][at] + 1 + random.nextInt(CONFIG.vocabSize() - 1)) % CONFIG.vocabSize();
    }
    try (NDManager step = manager.newSubManager()) {
      NDArray a = model.forward(ps, toArray(step, tokens), ForwardOptions.logitsOnly()).logits();
      NDArray b = model.forward(ps, toArray(step, changed), ForwardOptions.logitsOnly()).logits();
      NDArray before = a.get(new NDIndex(":, :{}", at)).sub(b.get(new NDIndex(":, :{}", at))).abs();
      NDArray from = a.get(new NDIndex(":, {}:", at)).sub(b.get(new NDIndex(":, {}:", at))).abs();
      assertThat(before.max().getFloat()).isLessThanOrEqualTo(1e-6f);
      // Every later position sees the change.
      float[] later = from.max(new int[] {2}).max(new int[] {0}).toFloatArray();
      for (float f : later) {
        assertThat(f).isGreaterThan(1e-5f);
      }
    }
  }

  @Test
  void attentionRowsSumToOneAndAreZeroAboveTheDiagonal() {
    Random random = new Random(3);
    int t = 10;
    try (NDManager step = manager.newSubManager()) {
      ForwardOutput out =
          model.forward(ps, toArray(step, randomTokens(random, 3, t, CONFIG.vocabSize())), ForwardOptions.capturing(Capture.ALL));
      assertThat(out.attentions()).hasSize(CONFIG.layers());
      for (NDArray probs : out.attentions()) {
        assertThat(probs.getShape()).isEqualTo(new Shape(3, CONFIG.heads(), t, t));
        float[] sums = probs.sum(new int[] {3}).toFloatArray();
        for (float s : sums) {
          assertThat(s).isCloseTo(1f, within(1e-5f));
        }
        float[] p = probs.toFloatArray();
        for (int row = 0; row < 3 * CONFIG.heads(); row++) {
          for (int i = 0; i < t; i++) {
            for (int j = 0; j < t; j++) {
              float value = p[(row * t + i) * t + j];
              if (j > i) {
                assertThat(value).as("above the diagonal").isEqualTo(0f);
              } else {
                assertThat(value).as("on or below the diagonal").isGreaterThan(0f);
              }
            }
          }
        }
      }
    }
  }

  @Test
  void queriesAndKeysReproduceTheProbabilities() {
    Random random = new Random(4);
    int t = 9;
    try (NDManager step = manager.newSubManager()) {
      ForwardOutput out =
          model.forward(ps, toArray(step, randomTokens(random, 2, t, CONFIG.vocabSize())), ForwardOptions.capturing(Capture.ALL));
      assertThat(out.queries()).hasSize(CONFIG.layers());
      assertThat(out.keys()).hasSize(CONFIG.layers());
      for (int l = 0; l < CONFIG.layers(); l++) {
        NDArray q = out.queries().get(l);
        NDArray k = out.keys().get(l);
        assertThat(q.getShape()).isEqualTo(new Shape(2, CONFIG.heads(), t, CONFIG.headDim()));
        // The documented formula: softmax(q k^T / sqrt(d) + causal).
        NDArray index = step.arange(t);
        NDArray future = index.reshape(1, t).gt(index.reshape(t, 1));
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).div(Math.sqrt(CONFIG.headDim()));
        NDArray masked = NDArrays.where(future, step.full(new Shape(t, t), -1e9f), scores);
        NDArray recomputed = masked.softmax(-1);
        float diff = recomputed.sub(out.attentions().get(l)).abs().max().getFloat();
        assertThat(diff).isLessThan(1e-6f);
      }
    }
  }

  @Test
  void incrementalDecodingMatchesTheFullForward() {
    Random random = new Random(6);
    int[][] tokens = randomTokens(random, 2, 14, CONFIG.vocabSize());
    try (NDManager step = manager.newSubManager();
        KvCache cache = new KvCache(step, CONFIG.layers())) {
      NDArray all = toArray(step, tokens);
      NDArray full = model.forward(ps, all, ForwardOptions.logitsOnly()).logits();
      // Prompt of 5, then one token at a time, then the last 3 together.
      int[][] chunks = {{0, 5}, {5, 6}, {6, 7}, {7, 8}, {8, 9}, {9, 10}, {10, 11}, {11, 14}};
      for (int[] c : chunks) {
        NDArray part = all.get(new NDIndex(":, {}:{}", c[0], c[1]));
        NDArray logits = model.forward(ps, part, cache, ForwardOptions.logitsOnly()).logits();
        NDArray expected = full.get(new NDIndex(":, {}:{}", c[0], c[1]));
        assertThat(logits.sub(expected).abs().max().getFloat())
            .as("positions %s..%s", c[0], c[1])
            .isLessThan(1e-5f);
      }
      assertThat(cache.length()).isEqualTo(14);
    }
  }

  @Test
  void refusesTrainingOptionsForTheIncrementalDecodingStep() {
    try (NDManager step = manager.newSubManager();
        KvCache cache = new KvCache(step, CONFIG.layers())) {
      NDArray tokens = step.zeros(new Shape(1, 3), DataType.INT64);
      assertThatThrownBy(() -> model.forward(ps, tokens, cache, ForwardOptions.training(Capture.NONE)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("The incremental decoding step is inference only: got training options");
      assertThat(cache.length()).as("nothing was cached").isZero();
    }
  }

  @Test
  void forwardOptionsNameTheirPassAndTask() {
    assertThat(ForwardOptions.logitsOnly()).isEqualTo(new ForwardOptions(false, Capture.NONE, Optional.empty()));
    assertThat(ForwardOptions.training(Capture.QUERY_KEYS).forTask(Task.GENERATION))
        .isEqualTo(new ForwardOptions(true, Capture.QUERY_KEYS, Optional.of(Task.GENERATION)));
    assertThatThrownBy(() -> ForwardOptions.capturing(Capture.ALL).forTask(null))
        .isInstanceOf(NullPointerException.class).hasMessage("task");
  }

  @Test
  void rejectsSequencesLongerThanMaxLength() {
    try (NDManager step = manager.newSubManager()) {
      NDArray tokens = step.zeros(new Shape(1, CONFIG.maxLength() + 1), DataType.INT64);
      assertThatThrownBy(() -> model.forward(ps, tokens, ForwardOptions.logitsOnly()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("25 positions")
          .hasMessageContaining("maxLength 24");
    }
  }

  @Test
  void parametersHaveStableReadableNamesAndTheConfiguredCount() {
    Map<String, Parameter> params = model.namedParameters();
    assertThat(params.keySet())
        .startsWith("embedding.token.weight", "embedding.position.weight", "layers.0.attention_norm.weight")
        .contains(
            "layers.0.attention.qkv.weight",
            "layers.1.attention.out.bias",
            "layers.1.mlp.up.weight",
            "layers.1.mlp.down.bias",
            "final_norm.bias")
        .endsWith("lm_head.weight")
        .hasSize(2 + 12 * CONFIG.layers() + 3);
    assertThat(params.get("layers.0.attention.qkv.weight").getShape()).isEqualTo(new Shape(96, 32));
    assertThat(params.get("layers.1.mlp.down.weight").getShape()).isEqualTo(new Shape(32, 48));
    long count = params.values().stream().mapToLong(p -> p.getArray().size()).sum();
    assertThat(count).isEqualTo(CONFIG.parameterCount());
    // DJL sees the same names.
    assertThat(model.getParameters().keys()).containsExactlyElementsOf(params.keySet());
  }

  @Test
  void djlSaveAndLoadParametersRoundTrip() throws Exception {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    model.saveParameters(new java.io.DataOutputStream(bytes));
    try (NDManager m = manager.newSubManager()) {
      UnifiedTransformer copy = new UnifiedTransformer(CONFIG);
      copy.loadParameters(
          m, new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())));
      assertThat(copy.isInitialized()).isTrue();
      NDArray tokens = toArray(m, randomTokens(new Random(9), 2, 6, CONFIG.vocabSize()));
      ParameterStore store = new ParameterStore(m, false);
      assertThat(copy.forward(store, tokens, ForwardOptions.logitsOnly()).logits().toFloatArray())
          .isEqualTo(model.forward(store, tokens, ForwardOptions.logitsOnly()).logits().toFloatArray());
    }
  }

  @Test
  void oneSeedGivesIdenticalInitialParametersAnotherSeedDifferentOnes() {
    ModelConfig config = ModelConfig.preset("tiny");
    try (NDManager m = manager.newSubManager()) {
      UnifiedTransformer a = new UnifiedTransformer(config);
      UnifiedTransformer b = new UnifiedTransformer(config);
      UnifiedTransformer c = new UnifiedTransformer(config.withSeed(1));
      a.initialize(m);
      b.initialize(m);
      c.initialize(m);
      for (String name : a.namedParameters().keySet()) {
        float[] x = a.namedParameters().get(name).getArray().toFloatArray();
        assertThat(b.namedParameters().get(name).getArray().toFloatArray()).as(name).isEqualTo(x);
        if (name.endsWith("weight") && !name.contains("norm")) {
          assertThat(c.namedParameters().get(name).getArray().toFloatArray()).as(name).isNotEqualTo(x);
          // Normal(0, 0.02) or the scaled-down residual version.
          double std = Math.sqrt(m.create(x).square().mean().getFloat());
          assertThat(std).as(name).isBetween(0.004, 0.025);
        }
      }
    }
  }
}
