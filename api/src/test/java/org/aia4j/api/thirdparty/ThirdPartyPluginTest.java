package org.aia4j.api.thirdparty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.aia4j.api.Registries;
import org.aia4j.api.backend.BackendProvider;
import org.aia4j.api.backend.Capability;
import org.aia4j.api.benchmark.BenchmarkOptions;
import org.aia4j.api.benchmark.BenchmarkProvider;
import org.aia4j.api.benchmark.BenchmarkScore;
import org.aia4j.api.model.AnswerRequest;
import org.aia4j.api.model.GenerationRequest;
import org.aia4j.api.model.ModelProvider;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.api.model.Task;
import org.aia4j.api.model.UnifiedModel;
import org.aia4j.api.spi.ProviderRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugs in a model, a backend and a benchmark the way a third party would: classes in their own
 * package, listed in {@code META-INF/services} files, found without aia4j naming them.
 */
class ThirdPartyPluginTest {

  @TempDir Path tmp;

  private Path echoCheckpoint() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("ckpt"));
    Files.writeString(dir.resolve(EchoModelProvider.MARKER), "echo\n");
    return dir;
  }

  @Test
  void findsLoadsAndUsesAThirdPartyModel() throws IOException {
    ProviderRegistry<ModelProvider> models = ProviderRegistry.load(ModelProvider.class, "model");
    Path checkpoint = echoCheckpoint();

    ModelProvider provider = models.get("Echo");
    assertThat(provider).isInstanceOf(EchoModelProvider.class);
    assertThat(provider.canLoad(checkpoint)).isTrue();
    assertThat(provider.canLoad(tmp)).isFalse();

    EchoModel echo;
    try (UnifiedModel model = provider.load(checkpoint, Map.of("size", "16"))) {
      echo = (EchoModel) model;
      BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
      List<String> answers =
          model.answer(
              List.of(
                  new AnswerRequest(image, "What colour is the square?", 8),
                  new AnswerRequest(image, "How many circles?", 8)));
      List<List<BufferedImage>> images =
          model.generate(List.of(new GenerationRequest("a red square", 3)));

      assertThat(answers).containsExactly("What colour is the square?", "How many circles?");
      assertThat(images).hasSize(1);
      assertThat(images.get(0))
          .hasSize(3)
          .allSatisfy(
              im -> {
                assertThat(im.getWidth()).isEqualTo(16);
                assertThat(im.getRGB(7, 7) & 0xFFFFFF).isEqualTo(0x999999);
              });
      assertThat(model.info().backend()).isEqualTo("echo");
      assertThat(model.info().provenance()).containsEntry("imageSize", "16");
      assertThat(model.interactions(Task.GENERATION, null, 4)).isEmpty();
    }
    assertThat(echo.isClosed()).isTrue();
  }

  @Test
  void rejectsUnknownOptionsAndForeignCheckpoints() throws IOException {
    ModelProvider provider = Registries.models().get("echo");
    Path checkpoint = echoCheckpoint();

    assertThatThrownBy(() -> provider.load(checkpoint, Map.of("device", "cuda")))
        .hasMessage("Unknown echo option 'device'. Known: size");
    assertThatThrownBy(() -> provider.load(tmp, Map.of()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no echo.txt");
  }

  @Test
  void aThirdPartyBackendIsTheDefaultWhenItIsTheOnlyOne() throws IOException {
    ProviderRegistry<BackendProvider> backends = Registries.backends();

    BackendProvider backend = backends.getDefault();
    assertThat(backends.names()).containsExactly("echo");
    assertThat(backend.isAvailable()).isTrue();
    assertThat(backend.capabilities()).containsExactly(Capability.INFER);
    try (UnifiedModel model = backend.models().load(echoCheckpoint(), Map.of())) {
      assertThat(model.name()).isEqualTo("echo-32");
    }
  }

  @Test
  void runsAThirdPartyBenchmarkOnAThirdPartyModel() throws IOException {
    BenchmarkProvider provider = Registries.benchmarks().get("repeat");
    var benchmark = provider.create(Map.of("questions", "7", "imageSize", "32"));
    // 5 of the 7 items, 2 images per prompt, batches of 2.
    var options = new BenchmarkOptions(5, 2, SamplingSettings.defaults(), 2);
    List<long[]> progress = new ArrayList<>();

    BenchmarkScore score;
    try (UnifiedModel model = Registries.models().get("echo").load(echoCheckpoint(), Map.of())) {
      score =
          benchmark.run(
              model,
              options,
              tmp.resolve("out"),
              (done, total, message) -> progress.add(new long[] {done, total}));
    }

    assertThat(benchmark.size()).isEqualTo(7);
    assertThat(score.benchmark()).isEqualTo("repeat");
    assertThat(score.overall()).isEqualTo(1.0);
    assertThat(score.breakdown()).containsOnlyKeys("answers", "images");
    assertThat(score.details()).containsEntry("items", 5);
    assertThat(progress).extracting(p -> p[0]).containsExactly(2L, 4L, 5L);
    assertThat(Files.readAllLines(tmp.resolve("out/answers.txt")))
        .containsExactly("word0", "word1", "word2", "word3", "word4");
  }

  @Test
  void unknownBenchmarkNamesTheThirdPartyOne() {
    assertThatThrownBy(() -> Registries.benchmarks().get("geneval"))
        .hasMessageStartingWith("Unknown benchmark 'geneval'. Known benchmarks: repeat.");
  }
}
