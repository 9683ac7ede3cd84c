package org.aia4j.api.thirdparty;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aia4j.api.benchmark.Benchmark;
import org.aia4j.api.benchmark.BenchmarkOptions;
import org.aia4j.api.benchmark.BenchmarkProvider;
import org.aia4j.api.benchmark.BenchmarkScore;
import org.aia4j.api.benchmark.ProgressListener;
import org.aia4j.api.model.AnswerRequest;
import org.aia4j.api.model.GenerationRequest;
import org.aia4j.api.model.UnifiedModel;

/**
 * A third party's benchmark, registered in {@code
 * META-INF/services/org.aia4j.api.benchmark.BenchmarkProvider}: "repeat after me" questions,
 * plus one generation prompt per question whose images must be the right size. Config: {@code
 * questions} (default 5), {@code imageSize} (default 32).
 */
public final class EchoBenchmarkProvider implements BenchmarkProvider {

  @Override
  public String name() {
    return "repeat";
  }

  @Override
  public int rank() {
    return 100;
  }

  @Override
  public Benchmark create(Map<String, String> config) {
    int questions = Integer.parseInt(config.getOrDefault("questions", "5"));
    int imageSize = Integer.parseInt(config.getOrDefault("imageSize", "32"));
    return new Repeat(questions, imageSize);
  }

  private record Repeat(int size, int imageSize) implements Benchmark {

    @Override
    public String name() {
      return "repeat";
    }

    @Override
    public String description() {
      return "Asks the model to repeat a word; draws one image per word";
    }

    @Override
    public BenchmarkScore run(
        UnifiedModel model, BenchmarkOptions options, Path outDir, ProgressListener progress)
        throws IOException {
      int n = options.effectiveSize(size);
      BufferedImage blank = new BufferedImage(imageSize, imageSize, BufferedImage.TYPE_INT_RGB);
      List<String> answers = new ArrayList<>();
      int rightAnswers = 0;
      int rightImages = 0;
      for (int start = 0; start < n; start += options.batchSize()) {
        int end = Math.min(n, start + options.batchSize());
        List<AnswerRequest> ask = new ArrayList<>();
        List<GenerationRequest> draw = new ArrayList<>();
        for (int i = start; i < end; i++) {
          ask.add(new AnswerRequest(blank, "word" + i, 4, options.sampling()));
          draw.add(
              new GenerationRequest("word" + i, options.samplesPerPrompt(), options.sampling()));
        }
        List<String> got = model.answer(ask);
        List<List<BufferedImage>> images = model.generate(draw);
        for (int i = start; i < end; i++) {
          String answer = got.get(i - start);
          answers.add(answer);
          rightAnswers += answer.equals("word" + i) ? 1 : 0;
          rightImages +=
              images.get(i - start).stream().allMatch(im -> im.getWidth() == imageSize) ? 1 : 0;
        }
        progress.onProgress(end, n, "batch done");
      }
      Files.createDirectories(outDir);
      Files.write(outDir.resolve("answers.txt"), answers);

      Map<String, Double> breakdown = new LinkedHashMap<>();
      breakdown.put("answers", (double) rightAnswers / n);
      breakdown.put("images", (double) rightImages / n);
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("items", n);
      details.put("options", options);
      details.put("model", model.info());
      double overall = (breakdown.get("answers") + breakdown.get("images")) / 2;
      return new BenchmarkScore(name(), overall, breakdown, details);
    }
  }
}
