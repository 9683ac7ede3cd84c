package org.aia4j.djl.infer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.aia4j.api.data.UnderstandingSample;
import org.aia4j.api.model.AnswerRequest;
import org.aia4j.api.model.GenerationRequest;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.api.model.Task;
import org.aia4j.evaluation.data.WorldTrainingData;
import org.aia4j.evaluation.world.WorldSpec;
import org.aia4j.inference.decode.Decoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Prints decode speeds of a checkpoint on this machine. Not a test (nothing is asserted, skipped
 * by default). Run with
 *
 * <pre>
 *   ./mvnw -B -q -pl backend-djl test -Dtest=DecodeSpeedBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *       -Daia4j.benchmark=true -Daia4j.benchmark.checkpoint=/tmp/small100
 * </pre>
 *
 * Reports, at batch 1 and 16: answers (greedy, up to 16 tokens, stopping at {@code <eos>}) in
 * answers/s and generated tokens/s; a fixed 16-step cached decode of the same prefixes in
 * tokens/s (prefill included); and image generation (w = 2, so two rows a sample) in image
 * tokens/s.
 */
class DecodeSpeedBenchmark {

  @Test
  @EnabledIfSystemProperty(named = "aia4j.benchmark", matches = "true")
  void run() throws Exception {
    Path dir = Path.of(System.getProperty("aia4j.benchmark.checkpoint", "/tmp/small100"));
    WorldTrainingData data = new WorldTrainingData(WorldSpec.standard(), 0);
    try (DjlUnifiedModel model = DjlUnifiedModel.load(dir)) {
      System.out.printf(Locale.ROOT, "%s: %s%n", dir, model.checkpoint().info().model());
      // The first pass warms up the JVM and libtorch; only the second is printed.
      int[] batches = {1, 16, 1, 16};
      for (int pass = 0; pass < batches.length; pass++) {
        int batch = batches[pass];
        boolean print = pass >= 2;
        List<AnswerRequest> questions = new ArrayList<>();
        List<int[]> prefixes = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
          UnderstandingSample sample = data.understanding(1_000_000L + i);
          questions.add(new AnswerRequest(sample.image(), sample.prompt(), 16));
          prefixes.add(model.builder().understandingPrefix(sample.image(), sample.prompt()));
        }
        int repeats = batch == 1 ? 8 : 2;
        long start = System.nanoTime();
        long tokens = 0;
        for (int r = 0; r < repeats; r++) {
          for (String answer : model.answer(questions)) {
            tokens += model.checkpoint().text().encode(answer).length + 1; // + <eos>
          }
        }
        double s = (System.nanoTime() - start) / 1e9;
        if (print) {
          System.out.printf(Locale.ROOT, "answer   batch %2d: %6.1f answers/s, %7.1f tokens/s (mean prefix %d tokens)%n",
            batch, repeats * batch / s, tokens / s, prefixes.stream().mapToInt(p -> p.length).sum() / batch);
        }

        int steps = 16;
        start = System.nanoTime();
        for (int r = 0; r < repeats; r++) {
          try (Decoding decoding = new CachedDecoding(model.checkpoint().model(), model.checkpoint().manager(), Task.GENERATION)) {
            decoding.start(prefixes);
            for (int t = 1; t < steps; t++) {
              decoding.next(new int[batch]);
            }
          }
        }
        s = (System.nanoTime() - start) / 1e9;
        if (print) {
          System.out.printf(Locale.ROOT, "decode   batch %2d: %7.1f tokens/s (16 cached steps, prefill included)%n",
            batch, repeats * batch * steps / s);
        }

        int tokensPerImage = model.checkpoint().image().tokensPerImage();
        List<GenerationRequest> prompts = List.of(
            new GenerationRequest("a photo of a red circle", batch, SamplingSettings.defaults()));
        start = System.nanoTime();
        for (int r = 0; r < repeats; r++) {
          model.generate(prompts);
        }
        s = (System.nanoTime() - start) / 1e9;
        if (print) {
          System.out.printf(Locale.ROOT, "generate batch %2d: %6.2f images/s, %7.1f image tokens/s (w = 2: %d rows)%n",
            batch, repeats * batch / s, repeats * batch * tokensPerImage / s, 2 * batch);
        }
      }
    }
  }
}
