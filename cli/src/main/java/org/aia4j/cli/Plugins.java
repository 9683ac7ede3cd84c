package org.aia4j.cli;

import java.util.List;
import org.aia4j.api.Registries;
import org.aia4j.api.backend.BackendProvider;
import org.aia4j.api.benchmark.BenchmarkProvider;
import org.aia4j.api.loss.LossProvider;
import org.aia4j.api.model.ModelProvider;
import org.aia4j.api.spi.Provider;
import org.aia4j.api.spi.ProviderRegistry;
import org.aia4j.api.tokenizer.ImageTokenizerProvider;
import org.aia4j.api.tokenizer.TextTokenizerProvider;

/**
 * The plug-ins the commands choose from, one registry per kind. {@link AiaModule} binds the
 * ServiceLoader registries of the class path; an embedder or a test may bind others.
 */
record Plugins(
    ProviderRegistry<BackendProvider> backends,
    ProviderRegistry<ModelProvider> models,
    ProviderRegistry<LossProvider> losses,
    ProviderRegistry<BenchmarkProvider> benchmarks,
    ProviderRegistry<ImageTokenizerProvider> imageTokenizers,
    ProviderRegistry<TextTokenizerProvider> textTokenizers) {

  /** The registries {@link java.util.ServiceLoader} finds on the class path. */
  static Plugins fromClassPath() {
    return new Plugins(Registries.backends(), Registries.models(), Registries.losses(), Registries.benchmarks(),
        Registries.imageTokenizers(), Registries.textTokenizers());
  }

  /** Every registry, in the order {@code aia providers} lists them. */
  List<ProviderRegistry<? extends Provider>> all() {
    return List.of(backends, models, losses, benchmarks, imageTokenizers, textTokenizers);
  }
}
