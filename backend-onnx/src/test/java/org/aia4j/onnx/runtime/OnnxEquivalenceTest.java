package org.aia4j.onnx.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.aia4j.api.model.AnswerRequest;
import org.aia4j.api.model.GenerationRequest;
import org.aia4j.api.model.InteractionProfile;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.api.model.Task;
import org.aia4j.djl.checkpoint.Checkpoint;
import org.aia4j.djl.infer.DjlUnifiedModel;
import org.aia4j.djl.model.ForwardOptions;
import org.aia4j.inference.decode.Decoding;
import org.aia4j.inference.model.ModelConfig;
import org.aia4j.onnx.export.OnnxExport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime against the DJL reference on the same checkpoints: logits within 1e-4 on random
 * sequences and batch sizes, KV-cache decode equal to full recompute, and identical greedy answers
 * and seeded images through the shared decode loops.
 */
class OnnxEquivalenceTest {
  /** float32 through two engines' kernels (MKL vs MLAS); the reference is DJL's forward. */
  static final float LOGIT_TOLERANCE = 1e-4f;

  @TempDir
  static Path tmp;

  static Path small;
  static Path tiny;
  static DjlUnifiedModel djl;
  static OnnxUnifiedModel onnx;

  @BeforeAll
  static void trainBoth() throws Exception {
    // The small preset's shape (4 layers, 4 heads) after a few steps; the tiny one trained longer.
    small = Checkpoints.train(tmp.resolve("small"), "small", 3, 64);
    tiny = Checkpoints.train(tmp.resolve("tiny"), "tiny", 40, 64);
    djl = DjlUnifiedModel.load(tiny);
    onnx = OnnxUnifiedModel.load(tiny);
  }

  @AfterAll
  static void close() {
    djl.close();
    onnx.close();
  }

  @Test
  void logitsEqualDjlOnRandomSequencesAndBatchSizes() throws Exception {
    SplittableRandom random = new SplittableRandom(17);
    try (Checkpoint.Loaded reference = Checkpoint.load(small);
        OnnxUnifiedModel model = OnnxUnifiedModel.load(small)) {
      ModelConfig config = reference.model().config();
      for (int trial = 0; trial < 6; trial++) {
        int batch = 1 + random.nextInt(5);
        int length = 1 + random.nextInt(config.maxLength());
        long[] ids = new long[batch * length];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = random.nextInt(config.vocabSize());
        }
        float[] expected;
        try (NDManager manager = reference.manager().newSubManager()) {
          NDArray tokens = manager.create(ids, new Shape(batch, length));
          expected = reference.model().forward(new ParameterStore(manager, false), tokens, ForwardOptions.logitsOnly())
              .logits().toFloatArray();
        }
        float[] actual = fullLogits(model.session(), ids, batch, length);
        assertThat(actual).as("batch %d, length %d", batch, length).hasSameSizeAs(expected)
            .containsExactly(expected, within(LOGIT_TOLERANCE));
      }
    }
  }

  /** One run without cache: positions 0..T-1, no padding, an empty past and recent cache. */
  static float[] fullLogits(OnnxSession session, long[] ids, int batch, int length) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    ModelConfig config = session.config();
    long[] positions = new long[ids.length];
    long[] mask = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      positions[i] = i % length;
      mask[i] = 1;
    }
    List<OnnxTensor> tensors = new ArrayList<>();
    Map<String, OnnxTensor> inputs = new HashMap<>();
    long[] shape = {batch, length};
    inputs.put("input_ids", add(tensors, OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape)));
    inputs.put("position_ids", add(tensors, OnnxTensor.createTensor(env, LongBuffer.wrap(positions), shape)));
    inputs.put("attention_mask", add(tensors, OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape)));
    OnnxTensor empty = add(tensors, OnnxTensor.createTensor(env, FloatBuffer.allocate(0),
        new long[] {batch, config.kvHeads(), 0, config.headDim()}));
    session.emptyCache(inputs, () -> empty);
    try (OrtSession.Result result = session.session().run(inputs)) {
      FloatBuffer logits = ((OnnxTensor) result.get("logits").orElseThrow()).getFloatBuffer();
      float[] out = new float[logits.remaining()];
      logits.get(out);
      return out;
    } finally {
      tensors.forEach(OnnxTensor::close);
    }
  }

  private static OnnxTensor add(List<OnnxTensor> tensors, OnnxTensor tensor) {
    tensors.add(tensor);
    return tensor;
  }

  @Test
  void cachedDecodingOfUnequalPromptsEqualsFullRecompute() throws Exception {
    List<int[]> prefixes = List.of(
        onnx.prompts().understandingPrefix(image(1), "what colour is the shape in the top left?"),
        onnx.prompts().understandingPrefix(image(2), "is there a circle?"),
        onnx.prompts().generationPrefix("a photo of a red circle"),
        onnx.prompts().generationPrefix(null));
    assertThat(prefixes.stream().mapToInt(p -> p.length).distinct().count()).isEqualTo(4);
    // The prefill runs in groups of similar lengths whose caches are then laid side by side.
    assertThat(org.aia4j.inference.decode.PrefillGroups.of(prefixes)
        .groups()).as("prefill groups").hasSizeGreaterThan(1);
    List<int[]> grown = new ArrayList<>(prefixes);
    try (Decoding cached = new OnnxDecoding(OrtEnvironment.getEnvironment(), onnx.session())) {
      float[][] logits = cached.start(prefixes);
      for (int step = 0; step < 6; step++) {
        int[] tokens = new int[prefixes.size()];
        for (int r = 0; r < tokens.length; r++) {
          // Each row alone, recomputed from scratch without cache or padding.
          int[] row = grown.get(r);
          long[] ids = java.util.Arrays.stream(row).asLongStream().toArray();
          float[] all = fullLogits(onnx.session(), ids, 1, row.length);
          float[] last = java.util.Arrays.copyOfRange(all, all.length - logits[r].length, all.length);
          assertThat(logits[r]).as("step %d row %d", step, r).containsExactly(last, within(LOGIT_TOLERANCE));
          tokens[r] = argmax(last);
          int[] next = java.util.Arrays.copyOf(row, row.length + 1);
          next[row.length] = tokens[r];
          grown.set(r, next);
        }
        logits = cached.next(tokens);
      }
    }
  }

  @Test
  void droppingRowsLeavesTheKeptRowsLogitsAsTheyWere() throws Exception {
    List<int[]> prefixes = List.of(
        onnx.prompts().understandingPrefix(image(1), "what colour is the shape in the top left?"),
        onnx.prompts().understandingPrefix(image(2), "is there a circle?"),
        onnx.prompts().understandingPrefix(image(3), "how many shapes are there?"),
        onnx.prompts().understandingPrefix(image(4), "what shape is it?"));
    try (Decoding all = new OnnxDecoding(OrtEnvironment.getEnvironment(), onnx.session());
        Decoding some = new OnnxDecoding(OrtEnvironment.getEnvironment(), onnx.session())) {
      float[][] full = all.start(prefixes);
      some.start(prefixes);
      int[] tokens = new int[4];
      for (int r = 0; r < 4; r++) {
        tokens[r] = argmax(full[r]);
      }
      full = all.next(tokens);
      float[][] kept = some.next(tokens);
      // Keep rows 1 and 3 (the others finished), then step twice more, the second time after
      // dropping row 1 as well.
      assertThat(some.keep(new int[] {1, 3})).isTrue();
      for (int step = 0; step < 2; step++) {
        int[] next = {argmax(full[0]), argmax(full[1]), argmax(full[2]), argmax(full[3])};
        full = all.next(next);
        kept = step == 0 ? some.next(new int[] {next[1], next[3]}) : some.next(new int[] {next[3]});
        assertThat(kept[kept.length - 1]).as("row 3, step %d", step).containsExactly(full[3], within(1e-5f));
        if (step == 0) {
          assertThat(kept[0]).as("row 1").containsExactly(full[1], within(1e-5f));
          assertThat(some.keep(new int[] {1})).isTrue();
        }
      }
      assertThatThrownBy(() -> some.keep(new int[] {0, 0})).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("increasing indices below 1");
    }
  }

  @Test
  void batchedAnswersOfMixedLengthsEqualAnswersDecodedAlone() {
    // Short answers finish first and are dropped from the batch; the long ones must not change.
    List<AnswerRequest> requests = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      var sample = Checkpoints.DATA.understanding(200 + i);
      requests.add(new AnswerRequest(sample.image(), sample.prompt(), 12, new SamplingSettings(1.0, 1.0, 0, i)));
    }
    // Prompts of 24-61 tokens: the batch is prefilled in several groups, then rows are dropped.
    assertThat(org.aia4j.inference.decode.PrefillGroups.plan(requests.stream()
        .mapToInt(r -> onnx.prompts().understandingPrefix(r.image(), r.prompt()).length).toArray()).groups())
        .as("prefill groups").hasSizeGreaterThan(1);
    List<String> batched = onnx.answer(requests);
    List<String> alone = requests.stream().map(r -> onnx.answer(List.of(r)).get(0)).toList();
    assertThat(batched).isEqualTo(alone);
    assertThat(batched.stream().mapToInt(a -> a.isBlank() ? 0 : a.split(" ").length).distinct().count())
        .as("answers of several lengths, so rows were dropped on the way: %s", batched).isGreaterThan(2);
  }

  @Test
  void firstImageLogitsWithGuidanceEqualDjl() {
    List<String> prompts = List.of("a photo of a red circle", "a photo of two blue squares", "a photo of a cross");
    for (double w : new double[] {0.0, 1.0, 3.0}) {
      SamplingSettings sampling = new SamplingSettings(w, 1.0, 0, 0);
      float[][] expected = djl.firstImageLogits(prompts, sampling);
      float[][] actual = onnx.firstImageLogits(prompts, sampling);
      for (int i = 0; i < prompts.size(); i++) {
        assertThat(actual[i]).as("w=%s prompt %d", w, i).containsExactly(expected[i], within(LOGIT_TOLERANCE * 4));
      }
    }
  }

  @Test
  void greedyAnswersAndSeededImagesAreIdenticalOnBothBackends() {
    List<AnswerRequest> greedy = new ArrayList<>();
    List<AnswerRequest> sampled = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      var sample = Checkpoints.DATA.understanding(100 + i);
      greedy.add(new AnswerRequest(sample.image(), sample.prompt(), 8));
      // Seeded sampling walks through many more tokens than the tiny model's greedy answers.
      sampled.add(new AnswerRequest(sample.image(), sample.prompt(), 8, new SamplingSettings(1.0, 1.0, 0, i)));
    }
    assertThat(onnx.answer(greedy)).isEqualTo(djl.answer(greedy));
    List<String> expected = djl.answer(sampled);
    assertThat(onnx.answer(sampled)).isEqualTo(expected);
    // Threads that sleep instead of spinning between ops change the timing, never the numbers;
    // a profiled session writes ONNX Runtime's per-operator trace when it closes.
    String profile = tmp.resolve("ort-profile").toString();
    try (OnnxUnifiedModel quiet = OnnxUnifiedModel.load(tiny,
        java.util.Map.of("spin", "false", "threads", "2", "profile", profile))) {
      assertThat(quiet.answer(sampled)).isEqualTo(expected);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    try (var files = java.nio.file.Files.list(tmp)) {
      java.nio.file.Path trace = files.filter(f -> f.getFileName().toString().startsWith("ort-profile"))
          .findFirst().orElseThrow(() -> new AssertionError("no profile written under " + tmp));
      assertThat(java.nio.file.Files.readString(trace)).contains("model_run").contains("kernel_time");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertThat(expected).as("the answers compared hold words").anySatisfy(a -> assertThat(a).isNotBlank());
    SamplingSettings guidedGreedy = new SamplingSettings(3.0, 0.0, 0, 0);
    assertThat(onnx.imageCodes("a photo of two red squares", 2, guidedGreedy))
        .isDeepEqualTo(djl.imageCodes("a photo of two red squares", 2, guidedGreedy));

    SamplingSettings hot = new SamplingSettings(3.0, 1.0, 8, 21);
    for (String prompt : List.of("a photo of a green cross", "a photo of a red circle and a blue square")) {
      assertThat(onnx.imageCodes(prompt, 3, hot)).as(prompt).isDeepEqualTo(djl.imageCodes(prompt, 3, hot));
    }
    List<GenerationRequest> requests = List.of(new GenerationRequest("a photo of a yellow triangle", 2, hot));
    List<List<BufferedImage>> a = onnx.generate(requests);
    List<List<BufferedImage>> b = djl.generate(requests);
    for (int s = 0; s < 2; s++) {
      assertThat(pixels(a.get(0).get(s))).isEqualTo(pixels(b.get(0).get(s)));
    }
  }

  @Test
  void interactionProfilesEqualDjl() throws Exception {
    Path export = tmp.resolve("export-attentions");
    OnnxExport.write(tiny, export, true);
    try (OnnxUnifiedModel exported = OnnxUnifiedModel.load(export)) {
      for (Task task : Task.values()) {
        InteractionProfile expected = djl.interactions(task, Checkpoints.DATA, 40).orElseThrow();
        for (OnnxUnifiedModel model : List.of(onnx, exported)) {
          InteractionProfile actual = model.interactions(task, Checkpoints.DATA, 40).orElseThrow();
          assertThat(actual.samples()).isEqualTo(expected.samples());
          assertThat(actual.mean()).as(task + " mean").usingElementComparator(close(1e-4)).isEqualTo(expected.mean());
          assertThat(actual.std()).as(task + " std").usingElementComparator(close(1e-4)).isEqualTo(expected.std());
        }
        assertThat(expected.mean()).as("a real curve, not all zeros").anySatisfy(m -> assertThat(m).isGreaterThan(0.01));
      }
    }
    // An export without attention outputs whose checkpoint is gone cannot profile, and says why.
    Path copy = Checkpoints.train(tmp.resolve("short-lived"), "tiny", 2, 64);
    Path plain = tmp.resolve("export-plain");
    OnnxExport.write(copy, plain, false);
    org.aia4j.api.io.AtomicDirectory.deleteTree(copy);
    try (OnnxUnifiedModel model = OnnxUnifiedModel.load(plain)) {
      assertThatThrownBy(() -> model.interactions(Task.GENERATION, Checkpoints.DATA, 4))
          .hasMessageContaining("re-export with aia export --attentions");
    }
  }

  private static java.util.Comparator<Double> close(double tolerance) {
    return (a, b) -> Math.abs(a - b) <= tolerance ? 0 : Double.compare(a, b);
  }

  private static int[] pixels(BufferedImage image) {
    return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
  }

  private static BufferedImage image(long index) {
    return Checkpoints.DATA.understanding(index).image();
  }

  private static int argmax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }
}
