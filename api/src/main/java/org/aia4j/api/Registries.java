package org.aia4j.api;

import org.aia4j.api.backend.BackendProvider;
import org.aia4j.api.benchmark.BenchmarkProvider;
import org.aia4j.api.loss.LossProvider;
import org.aia4j.api.model.ModelProvider;
import org.aia4j.api.spi.ProviderRegistry;
import org.aia4j.api.tokenizer.ImageTokenizerProvider;
import org.aia4j.api.tokenizer.TextTokenizerProvider;

/**
 * The registries of every service aia4j defines, under one fixed kind each, so the CLI, the
 * server and third parties agree on names and override keys. Each call scans the class path
 * again (cheap); keep the result if you call often.
 *
 * <table>
 *   <caption>Kinds and default overrides</caption>
 *   <tr><th>registry</th><th>kind</th><th>system property</th><th>environment variable</th></tr>
 *   <tr><td>{@link #backends()}</td><td>backend</td><td>aia4j.backend</td>
 *       <td>AIA4J_BACKEND</td></tr>
 *   <tr><td>{@link #models()}</td><td>model</td><td>aia4j.model</td><td>AIA4J_MODEL</td></tr>
 *   <tr><td>{@link #losses()}</td><td>loss</td><td>aia4j.loss</td><td>AIA4J_LOSS</td></tr>
 *   <tr><td>{@link #benchmarks()}</td><td>benchmark</td><td>aia4j.benchmark</td>
 *       <td>AIA4J_BENCHMARK</td></tr>
 *   <tr><td>{@link #imageTokenizers()}</td><td>image-tokenizer</td><td>aia4j.image-tokenizer</td>
 *       <td>AIA4J_IMAGE_TOKENIZER</td></tr>
 *   <tr><td>{@link #textTokenizers()}</td><td>text-tokenizer</td><td>aia4j.text-tokenizer</td>
 *       <td>AIA4J_TEXT_TOKENIZER</td></tr>
 * </table>
 */
public final class Registries {

  /** Kind of {@link #backends()}. */
  public static final String BACKEND = "backend";
  /** Kind of {@link #models()}. */
  public static final String MODEL = "model";
  /** Kind of {@link #losses()}. */
  public static final String LOSS = "loss";
  /** Kind of {@link #benchmarks()}. */
  public static final String BENCHMARK = "benchmark";
  /** Kind of {@link #imageTokenizers()}. */
  public static final String IMAGE_TOKENIZER = "image-tokenizer";
  /** Kind of {@link #textTokenizers()}. */
  public static final String TEXT_TOKENIZER = "text-tokenizer";

  private Registries() {}

  /** @return the compute engines */
  public static ProviderRegistry<BackendProvider> backends() {
    return ProviderRegistry.load(BackendProvider.class, BACKEND);
  }

  /** @return the checkpoint loaders */
  public static ProviderRegistry<ModelProvider> models() {
    return ProviderRegistry.load(ModelProvider.class, MODEL);
  }

  /** @return the training losses */
  public static ProviderRegistry<LossProvider> losses() {
    return ProviderRegistry.load(LossProvider.class, LOSS);
  }

  /** @return the benchmark suites */
  public static ProviderRegistry<BenchmarkProvider> benchmarks() {
    return ProviderRegistry.load(BenchmarkProvider.class, BENCHMARK);
  }

  /** @return the image tokenizer loaders, by tokenizer kind */
  public static ProviderRegistry<ImageTokenizerProvider> imageTokenizers() {
    return ProviderRegistry.load(ImageTokenizerProvider.class, IMAGE_TOKENIZER);
  }

  /** @return the text tokenizer loaders, by tokenizer kind */
  public static ProviderRegistry<TextTokenizerProvider> textTokenizers() {
    return ProviderRegistry.load(TextTokenizerProvider.class, TEXT_TOKENIZER);
  }
}
