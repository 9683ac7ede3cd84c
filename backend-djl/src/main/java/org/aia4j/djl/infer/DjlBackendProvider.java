package org.aia4j.djl.infer;

import ai.djl.engine.Engine;
import java.util.EnumSet;
import java.util.Set;
import org.aia4j.api.backend.BackendProvider;
import org.aia4j.api.backend.Capability;
import org.aia4j.api.model.ModelProvider;

/** The {@code djl} backend: DJL on PyTorch, which trains, runs and profiles the reference model. */
public final class DjlBackendProvider implements BackendProvider {
  private static final String ENGINE = "PyTorch";

  @Override
  public String name() {
    return "djl";
  }

  @Override
  public int rank() {
    return 10;
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.of(Capability.TRAIN, Capability.INFER, Capability.PROFILE);
  }

  /** @return true when DJL lists the PyTorch engine (without loading its native library) */
  @Override
  public boolean isAvailable() {
    try {
      return Engine.getAllEngines().contains(ENGINE);
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  @Override
  public String description() {
    return "DJL " + Engine.getDjlVersion() + " on PyTorch (CPU; CUDA with -Pcuda): train, infer, profile";
  }

  @Override
  public ModelProvider models() {
    return new DjlModelProvider();
  }
}
