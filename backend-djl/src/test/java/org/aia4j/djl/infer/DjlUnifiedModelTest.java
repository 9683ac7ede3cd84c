package org.aia4j.djl.infer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.aia4j.api.Registries;
import org.aia4j.api.model.AnswerRequest;
import org.aia4j.api.model.GenerationRequest;
import org.aia4j.api.model.InteractionProfile;
import org.aia4j.api.model.ModelInfo;
import org.aia4j.api.model.ModelLimits;
import org.aia4j.api.model.ModelProvider;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.api.model.Task;
import org.aia4j.api.model.UnifiedModel;
import org.aia4j.djl.checkpoint.Checkpoint;
import org.aia4j.djl.model.ForwardOptions;
import org.aia4j.inference.decode.Decoding;
import org.aia4j.inference.decode.TokenSampler;
import org.aia4j.inference.sequence.TokenLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Inference on a tiny checkpoint trained in the test. */
class DjlUnifiedModelTest {
  @TempDir
  static Path tmp;

  static Path checkpoint;
  static DjlUnifiedModel model;

  @BeforeAll
  static void trainAndLoad() throws Exception {
    checkpoint = TinyCheckpoint.train(tmp.resolve("tiny"), 12);
    model = DjlUnifiedModel.load(checkpoint);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static BufferedImage image(long index) {
    return TinyCheckpoint.DATA.understanding(index).image();
  }

  /** The model's last-position logits for one sequence, computed alone without cache. */
  private static float[] fullForward(int[] tokens) {
    Checkpoint.Loaded loaded = model.checkpoint();
    try (NDManager scope = loaded.manager().newSubManager()) {
      long[] ids = Arrays.stream(tokens).asLongStream().toArray();
      return loaded.model().forward(new ParameterStore(scope, false), scope.create(ids, new Shape(1, ids.length)), ForwardOptions.logitsOnly()).logits().get(new NDIndex("0, -1, :")).toFloatArray();
    }
  }

  @Test
  void guidanceWeightZeroGivesTheUnconditionalLogitsAndOneTheConditional() {
    List<String> prompts = List.of("a photo of a red circle", "a photo of two squares and a blue cross");
    float[] uncond = fullForward(model.builder().generationPrefix(null));
    float[][] w0 = model.firstImageLogits(prompts, new SamplingSettings(0.0, 1.0, 0, 0));
    float[][] w1 = model.firstImageLogits(prompts, new SamplingSettings(1.0, 1.0, 0, 0));
    float[][] w3 = model.firstImageLogits(prompts, new SamplingSettings(3.0, 1.0, 0, 0));
    for (int i = 0; i < prompts.size(); i++) {
      float[] cond = fullForward(model.builder().generationPrefix(prompts.get(i)));
      assertThat(cond).isNotEqualTo(uncond);
      assertThat(w0[i]).as("w = 0, prompt %d", i).containsExactly(uncond, within(1e-5f));
      assertThat(w1[i]).as("w = 1, prompt %d", i).containsExactly(cond, within(1e-5f));
      for (int v = 0; v < cond.length; v++) {
        assertThat(w3[i][v]).isCloseTo(uncond[v] + 3 * (cond[v] - uncond[v]), within(1e-4f));
      }
    }
    assertThat(TokenSampler.guide(new float[] {1, 2}, new float[] {3, 5}, 2.0)).containsExactly(-1, -1);
  }

  @Test
  void imagePositionsOnlyEverTakeImageCodesTheTokenizerUses() {
    boolean[] allowed = model.allowedImageTokens();
    TokenLayout layout = model.checkpoint().layout();
    int used = model.checkpoint().image().usedCodes();
    assertThat(used).isLessThanOrEqualTo(layout.imageCodebookSize()).isGreaterThan(1);
    for (int id = 0; id < allowed.length; id++) {
      assertThat(allowed[id]).as("id %s", layout.describe(id))
          .isEqualTo(layout.isImageToken(id) && layout.toImage(id) < used);
    }
    // A hot, guided sampler would spread over the whole vocabulary without the mask.
    int[][] codes = model.imageCodes("a photo of a green cross", 3, new SamplingSettings(3.0, 5.0, 0, 4));
    for (int[] image : codes) {
      assertThat(image).hasSize(model.checkpoint().image().tokensPerImage());
      assertThat(Arrays.stream(image).boxed().toList()).allSatisfy(code -> assertThat(code).isBetween(0, used - 1));
    }
    assertThat(Arrays.stream(codes).flatMapToInt(Arrays::stream).distinct().count()).isGreaterThan(1);
  }

  @Test
  void cachedDecodingOfUnequalPromptsEqualsFullRecompute() throws Exception {
    List<int[]> prefixes = List.of(
        model.builder().understandingPrefix(image(1), "what colour is the shape in the top left?"),
        model.builder().understandingPrefix(image(2), "is there a circle?"),
        model.builder().generationPrefix("a photo of a red circle"),
        model.builder().generationPrefix(null));
    assertThat(prefixes.stream().mapToInt(p -> p.length).distinct().count()).isEqualTo(4);
    // The prefill runs in groups of similar lengths whose caches are then merged.
    assertThat(org.aia4j.inference.decode.PrefillGroups.of(prefixes)
        .groups()).as("prefill groups").hasSizeGreaterThan(1);
    Checkpoint.Loaded loaded = model.checkpoint();
    try (Decoding cached = new CachedDecoding(loaded.model(), loaded.manager(), Task.GENERATION);
        Decoding full = new RecomputedDecoding(loaded.model(), loaded.manager(), Task.GENERATION)) {
      float[][] a = cached.start(prefixes);
      float[][] b = full.start(prefixes);
      for (int step = 0; step < 6; step++) {
        int[] tokens = new int[prefixes.size()];
        for (int r = 0; r < tokens.length; r++) {
          assertThat(a[r]).as("step %d row %d", step, r).containsExactly(b[r], within(1e-5f));
          tokens[r] = argmax(b[r]);
          assertThat(argmax(a[r])).isEqualTo(tokens[r]);
        }
        a = cached.next(tokens);
        b = full.next(tokens);
      }
    }
    // The same through the public API: greedy answers and images are identical.
    try (DjlUnifiedModel recomputing = new DjlUnifiedModel(Checkpoint.load(checkpoint), checkpoint,
        task -> new RecomputedDecoding(loaded.model(), loaded.manager(), task))) {
      List<AnswerRequest> questions = List.of(new AnswerRequest(image(3), "how many shapes are there?", 5),
          new AnswerRequest(image(4), "what is it?", 5));
      assertThat(model.answer(questions)).isEqualTo(recomputing.answer(questions));
      SamplingSettings greedy = new SamplingSettings(2.0, 0.0, 0, 0);
      assertThat(model.imageCodes("a photo of a blue square", 1, greedy))
          .isDeepEqualTo(recomputing.imageCodes("a photo of a blue square", 1, greedy));
    }
  }

  @Test
  void batchedAnswersOfMixedLengthsEqualAnswersDecodedAlone() {
    // Short answers finish first and their rows leave the cache; the long ones must not change.
    List<AnswerRequest> requests = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      var sample = TinyCheckpoint.DATA.understanding(300 + i);
      requests.add(new AnswerRequest(sample.image(), sample.prompt(), 10, new SamplingSettings(1.0, 1.0, 0, i)));
    }
    // Prompts of different lengths: the batch is prefilled in several groups, then rows are dropped.
    assertThat(org.aia4j.inference.decode.PrefillGroups.plan(requests.stream()
        .mapToInt(r -> model.builder().understandingPrefix(r.image(), r.prompt()).length).toArray()).groups())
        .as("prefill groups").hasSizeGreaterThan(1);
    List<String> batched = model.answer(requests);
    List<String> alone = requests.stream().map(r -> model.answer(List.of(r)).get(0)).toList();
    assertThat(batched).isEqualTo(alone);
    assertThat(batched.stream().mapToInt(a -> a.isBlank() ? 0 : a.split(" ").length).distinct().count())
        .as("answers of several lengths, so rows were dropped on the way: %s", batched).isGreaterThan(2);
  }

  @Test
  void aCacheKeepsOnlyTheRowsAskedFor() {
    try (NDManager scope = model.checkpoint().manager().newSubManager()) {
      org.aia4j.djl.model.KvCache cache = new org.aia4j.djl.model.KvCache(scope, 2, new int[] {0, 3, 1});
      assertThatThrownBy(() -> cache.keep(new int[] {2, 1})).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("increasing indices below 3");
      cache.keep(new int[] {1, 2});
      assertThat(cache.padding()).containsExactly(3, 1);
      // Merging group caches checks that every row is in exactly one group.
      org.aia4j.djl.model.KvCache other = new org.aia4j.djl.model.KvCache(scope, 2, new int[] {0});
      assertThatThrownBy(() -> org.aia4j.djl.model.KvCache.merge(scope, List.of(other, other),
          List.of(new int[] {0}, new int[] {0}), new int[] {0, 0})).hasMessage("Row 0 is out of range or in two groups");
      assertThatThrownBy(() -> org.aia4j.djl.model.KvCache.merge(scope, List.of(other), List.of(new int[] {1}),
          new int[] {0, 0})).hasMessage("Some rows are in no group: [-1, 0]");
    }
  }

  @Test
  void theSameSeedDrawsTheSameImagesAndAnotherSeedOthers() {
    SamplingSettings seven = new SamplingSettings(2.0, 1.0, 0, 7);
    List<GenerationRequest> requests = List.of(new GenerationRequest("a photo of a red circle", 2, seven),
        new GenerationRequest("a photo of two crosses", 1, seven));
    List<List<BufferedImage>> first = model.generate(requests);
    List<List<BufferedImage>> again = model.generate(requests);
    assertThat(first).hasSize(2);
    assertThat(first.get(0)).hasSize(2);
    assertThat(first.get(1)).hasSize(1);
    assertThat(pixels(first.get(0).get(0))).isEqualTo(pixels(again.get(0).get(0)));
    assertThat(pixels(first.get(0).get(1))).isEqualTo(pixels(again.get(0).get(1)));
    assertThat(pixels(first.get(1).get(0))).isEqualTo(pixels(again.get(1).get(0)));
    // Sample i uses seed + i, so one image can be drawn again alone, whatever its batch was.
    List<List<BufferedImage>> alone = model.generate(
        List.of(new GenerationRequest("a photo of a red circle", 1, seven.withSeed(8))));
    assertThat(pixels(alone.get(0).get(0))).isEqualTo(pixels(first.get(0).get(1)));
    int[][] codes7 = model.imageCodes("a photo of a red circle", 1, seven);
    int[][] codes9 = model.imageCodes("a photo of a red circle", 1, seven.withSeed(9));
    assertThat(codes7[0]).isNotEqualTo(codes9[0]);
  }

  @Test
  void answersStopAtEndOfSequenceOrAnyNonTextToken() throws Exception {
    Checkpoint.Loaded loaded = model.checkpoint();
    TokenLayout layout = loaded.layout();
    int red = layout.fromText(loaded.text().id("red"));
    int circle = layout.fromText(loaded.text().id("circle"));
    assertThat(loaded.text().decode(new int[] {layout.toText(red)})).isEqualTo("red");
    // Scripted logits: each row's next token, step by step.
    int[][] script = {
        {red, TokenLayout.EOS, circle, circle},
        {red, circle, TokenLayout.BOI, circle},
        {TokenLayout.EOS, red, red, red},
        {red, circle, red, circle}};
    try (DjlUnifiedModel scripted = new DjlUnifiedModel(Checkpoint.load(checkpoint), checkpoint,
        task -> new ScriptedDecoding(script, layout.vocabularySize()))) {
      AnswerRequest q = new AnswerRequest(image(5), "what colour?", 8);
      List<String> answers = scripted.answer(List.of(q, q, q, new AnswerRequest(image(5), "what colour?", 3)));
      assertThat(answers).containsExactly("red", "red circle", "", "red circle red");
    }
  }

  @Test
  void badRequestsAreRefusedWithTheReason() {
    BufferedImage wrongSize = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
    assertThatThrownBy(() -> model.answer(List.of(new AnswerRequest(image(1), "is it red?", 4),
        new AnswerRequest(wrongSize, "is it red?", 4))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Answer request 1")
        .hasMessageContaining("Expected a 32x32 image, got 40x40");
    String longPrompt = String.join(" ", java.util.Collections.nCopies(140, "red"));
    assertThatThrownBy(() -> model.answer(List.of(new AnswerRequest(image(1), longPrompt, 4))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Answer request 0")
        .hasMessageContaining("more than the model's maxLength of 128");
    assertThatThrownBy(() -> model.generate(List.of(new GenerationRequest(longPrompt, 1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Generation request 0")
        .hasMessageContaining("maxLength of 128");
  }

  @Test
  void theProviderLoadsCheckpointsByNameAndDescribesThem() throws Exception {
    ModelProvider provider = Registries.models().get("djl");
    assertThat(provider.canLoad(checkpoint)).isTrue();
    assertThat(provider.canLoad(tmp)).isFalse();
    assertThat(Registries.backends().get("djl").isAvailable()).isTrue();
    assertThat(Registries.backends().get("djl").models()).isInstanceOf(DjlModelProvider.class);
    assertThatThrownBy(() -> provider.load(checkpoint, Map.of("device", "gpu")))
        .hasMessageContaining("takes no options");
    try (UnifiedModel loaded = provider.load(checkpoint, Map.of())) {
      ModelInfo info = loaded.info();
      assertThat(info.backend()).isEqualTo("djl");
      assertThat(info.layers()).isEqualTo(2);
      assertThat(info.name()).isEqualTo("tiny");
      assertThat(info.provenance()).containsEntry("step", "12").containsEntry("seed", "5").containsKey("training");
      assertThat(loaded.interactions(Task.GENERATION, null, 8)).isEmpty();
      InteractionProfile profile = loaded.interactions(Task.UNDERSTANDING, TinyCheckpoint.DATA, 8).orElseThrow();
      assertThat(profile.layers()).isEqualTo(2);
      assertThat(profile.samples()).isEqualTo(8);

      // Limits, prompt lengths and streaming, through the api alone (no caller downcasts).
      ModelLimits limits = loaded.limits();
      assertThat(limits.contextLength()).isEqualTo(model.maxLength());
      assertThat(limits.tokensPerImage()).isEqualTo(model.checkpoint().image().tokensPerImage());
      assertThat(limits.imageSize()).isEqualTo(model.checkpoint().image().imageSize());
      assertThat(loaded.promptTokens(Task.UNDERSTANDING, "what colour?").orElseThrow())
          .isEqualTo(model.prompts().understandingPrefix(image(5), "what colour?").length);
      assertThat(loaded.promptTokens(Task.GENERATION, "a photo of a red cross").orElseThrow())
          .isEqualTo(model.prompts().generationPrefix("a photo of a red cross").length);
      List<AnswerRequest> questions = List.of(new AnswerRequest(image(3), "how many shapes are there?", 5),
          new AnswerRequest(image(4), "what is it?", 5));
      List<List<Integer>> streamed = List.of(new java.util.ArrayList<>(), new java.util.ArrayList<>());
      List<String> answers = loaded.answer(questions, (request, id) -> streamed.get(request).add(id));
      for (int i = 0; i < 2; i++) {
        int[] ids = streamed.get(i).stream().mapToInt(Integer::intValue).toArray();
        assertThat(loaded.textTokenizer().orElseThrow().decode(ids)).isEqualTo(answers.get(i));
      }
      assertThat(answers).isEqualTo(loaded.answer(questions));
      // A listener that stops every request at once gets empty answers: its rows leave at the first step.
      assertThat(loaded.answer(questions, new org.aia4j.api.model.TokenListener() {
        @Override
        public void onToken(int request, int textId) {
          throw new AssertionError("a stopped request was decoded");
        }

        @Override
        public boolean stopped(int request) {
          return true;
        }
      })).containsExactly("", "");
    }
  }

  private static int argmax(float[] row) {
    int best = 0;
    for (int i = 1; i < row.length; i++) {
      if (row[i] > row[best]) {
        best = i;
      }
    }
    return best;
  }

  private static int[] pixels(BufferedImage image) {
    return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
  }

  /** Logits that make row r pick script[r][step]. */
  private static final class ScriptedDecoding implements Decoding {
    private final int[][] script;
    private final int vocabulary;
    private int step;

    ScriptedDecoding(int[][] script, int vocabulary) {
      this.script = script;
      this.vocabulary = vocabulary;
    }

    @Override
    public float[][] start(List<int[]> prefixes) {
      return logits();
    }

    @Override
    public float[][] next(int[] tokens) {
      step++;
      return logits();
    }

    private float[][] logits() {
      float[][] out = new float[script.length][vocabulary];
      for (int r = 0; r < script.length; r++) {
        out[r][script[r][Math.min(step, script[r].length - 1)]] = 10f;
      }
      return out;
    }

    @Override
    public void close() {}
  }
}
