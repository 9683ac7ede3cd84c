package org.aia4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.util.Optional;
import org.aia4j.api.backend.BackendProvider;
import org.aia4j.api.backend.Capability;
import org.aia4j.api.model.ModelProvider;
import org.aia4j.api.spi.ProviderRegistry;
import org.aia4j.evaluation.data.WorldTrainingData;

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

  /** The embedded world's data the model was trained on, when it was trained on the embedded world. */
  static Optional<WorldTrainingData> worldData(JsonNode config) {
    WorldTrainingData data = WorldRuns.data(training(config).path("seed").asLong());
    String recorded = config.has("data") ? config.path("data").asText() : config.path("source").path("data").asText();
    return data.describe().equals(recorded) ? Optional.of(data) : Optional.empty();
  }
}
