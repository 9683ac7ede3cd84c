package org.aia4j.api.backend;

import java.util.Set;
import org.aia4j.api.model.ModelProvider;
import org.aia4j.api.spi.Provider;

/**
 * A compute engine, e.g. {@code djl} (PyTorch) or {@code onnx} (ONNX Runtime): the job of saying
 * whether the engine can run here and what it can do ({@link #capabilities()}), so a command can
 * refuse early with a reason ({@code aia backends} lists them). Loading a checkpoint is the job of
 * the {@link ModelProvider} it hands out ({@link #models()}). Registered in {@code
 * META-INF/services/org.aia4j.api.backend.BackendProvider}. Device choice (CPU, CUDA) is an option
 * of the models it loads, not a separate backend.
 */
public interface BackendProvider extends Provider {

  /** @return what this backend can do */
  Set<Capability> capabilities();

  /**
   * Whether the engine can run here (native libraries present, platform supported). Must be
   * cheap and must not throw: a missing native library yields false.
   *
   * @return true if the engine can be used
   */
  boolean isAvailable();

  /** @return one line for {@code aia backends}, e.g. engine and version */
  String description();

  /** @return the loader of checkpoints onto this backend */
  ModelProvider models();
}
