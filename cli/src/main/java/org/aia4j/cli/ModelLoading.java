package org.aia4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.aia4j.api.backend.BackendProvider;
import org.aia4j.api.backend.Capability;
import org.aia4j.api.model.ModelProvider;
import org.aia4j.api.spi.ProviderRegistry;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.evaluation.data.WorldTrainingData;
import org.aia4j.evaluation.world.ShapesWorld;
import org.aia4j.evaluation.world.WorldProvider;
import org.aia4j.evaluation.world.Worlds;
import org.aia4j.inference.checkpoint.CheckpointFiles;
import org.aia4j.inference.checkpoint.ImportedTokenizers;
import org.aia4j.inference.checkpoint.TextModel;

/** What the commands that run a model share: choosing its loader and finding the data it was trained on. */
final class ModelLoading {
  private final Provider<Plugins> plugins;

  // A provider: commands are built before --plugins is applied, the registries only when used.
  @Inject
  ModelLoading(Provider<Plugins> plugins) {
    this.plugins = plugins;
  }

  /**
   * The backend's model loader, or a model provider of that name.
   *
   * @throws IllegalArgumentException for an unknown name (listing backends and providers) or a
   *     backend that cannot run models
   * @throws IllegalStateException for a backend that is not available on this machine
   */
  /** The plug-in registries this loader chooses from. */
  Plugins plugins() {
    return plugins.get();
  }

  ModelProvider provider(String backend) {
    ProviderRegistry<BackendProvider> backends = plugins.get().backends();
    Optional<BackendProvider> chosen = backends.find(backend);
    if (chosen.isPresent()) {
      BackendProvider provider = chosen.get();
      if (!provider.capabilities().contains(Capability.INFER)) {
        throw new IllegalArgumentException("Backend '" + provider.name() + "' cannot run models (it can "
            + provider.capabilities() + ")");
      }
      if (!provider.isAvailable()) {
        throw new IllegalStateException("Backend '" + provider.name() + "' is not available here: "
            + provider.description());
      }
      return provider.models();
    }
    ProviderRegistry<ModelProvider> models = plugins.get().models();
    return models.find(backend).orElseThrow(() -> new IllegalArgumentException("Unknown backend '" + backend
        + "'. Known backends: " + String.join(", ", backends.names()) + "; known model providers: "
        + String.join(", ", models.names()) + "."));
  }

  /** Model options for a device: none on the CPU (every backend's default), else {@code device}. */
  static java.util.Map<String, String> options(String device) {
    return device.equals("cpu") ? java.util.Map.of() : java.util.Map.of("device", device);
  }

  /**
   * Model options from {@code --engine-option KEY=VALUE} and the {@code --threads} shorthand (which
   * must not contradict an explicit {@code threads} option).
   */
  static java.util.Map<String, String> options(java.util.Map<String, String> engineOptions, Integer threads) {
    java.util.Map<String, String> options = new java.util.LinkedHashMap<>();
    if (engineOptions != null) {
      options.putAll(engineOptions);
    }
    if (threads != null) {
      String explicit = options.put("threads", threads.toString());
      if (explicit != null && !explicit.equals(threads.toString())) {
        throw new IllegalArgumentException("--threads " + threads + " contradicts --engine-option threads=" + explicit);
      }
    }
    return java.util.Map.copyOf(options);
  }

  /** The training section of a checkpoint's {@code config.json}, or of an export's source checkpoint. */
  static JsonNode training(JsonNode config) {
    return config.has("training") ? config.path("training") : config.path("source").path("training");
  }

  /** The data description a checkpoint (or an export's source checkpoint) records. */
  private static String recordedData(JsonNode config) {
    return config.has("data") ? config.path("data").asText() : config.path("source").path("data").asText();
  }

  /**
   * The world a checkpoint was trained in, read from its data description ({@code world(...)} is
   * the shapes world, {@code fashion(...)} the fashion world), or empty for data files or an
   * unknown world.
   */
  static Optional<String> trainingWorld(JsonNode config) {
    String recorded = recordedData(config);
    int paren = recorded.indexOf('(');
    if (paren <= 0) {
      return Optional.empty();
    }
    String name = recorded.substring(0, paren);
    if (name.equals("world")) {
      return Optional.of(ShapesWorld.NAME);
    }
    return Worlds.registry().find(name).map(WorldProvider::name);
  }

  /**
   * The world the checkpoint in {@code dir} was trained in, when its {@code config.json} says;
   * empty when there is no readable config (the command's own checks then name the problem). Reads
   * only: an interrupted save is left for the command to recover.
   */
  static Optional<String> trainingWorldOf(Path dir) {
    Path file = dir.resolve("config.json");
    if (!java.nio.file.Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return trainingWorld(new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * The side data files' images are read at for training or profiling {@code checkpoint}: an
   * imported model's image tokenizer's, else aia4j's world size.
   *
   * @throws IOException if the checkpoint's image tokenizer cannot be read
   */
  static int dataImageSize(Path checkpoint) throws IOException {
    if (!TextModel.isTextOnly(checkpoint) || !Files.isRegularFile(checkpoint.resolve(CheckpointFiles.CONFIG))) {
      return FileRuns.IMAGE_SIZE;
    }
    JsonNode config = CheckpointFiles.readObject(checkpoint.resolve(CheckpointFiles.CONFIG));
    int vocabSize = config.path("model").path("vocabSize").asInt(Integer.MAX_VALUE);
    return ImportedTokenizers.read(checkpoint, vocabSize).image().map(ImageTokenizer::imageSize)
        .orElse(FileRuns.IMAGE_SIZE);
  }

  /** The world data the model was trained on, when it was trained in a world (not on files). */
  static Optional<WorldTrainingData> worldData(JsonNode config) throws IOException {
    Optional<String> world = trainingWorld(config);
    if (world.isEmpty()) {
      return Optional.empty();
    }
    WorldTrainingData data = WorldRuns.data(Worlds.get(world.get()), training(config).path("seed").asLong());
    return data.describe().equals(recordedData(config)) ? Optional.of(data) : Optional.empty();
  }
}
