package org.aia4j.api.thirdparty;

import java.util.EnumSet;
import java.util.Set;
import org.aia4j.api.backend.BackendProvider;
import org.aia4j.api.backend.Capability;
import org.aia4j.api.model.ModelProvider;

/** A third party's backend: inference only, always available, loads echo checkpoints. */
public final class EchoBackendProvider implements BackendProvider {

  @Override
  public String name() {
    return "echo";
  }

  @Override
  public int rank() {
    return 100;
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.of(Capability.INFER);
  }

  @Override
  public boolean isAvailable() {
    return true;
  }

  @Override
  public String description() {
    return "Echo backend (test fixture): answers with the prompt, draws grey images";
  }

  @Override
  public ModelProvider models() {
    return new EchoModelProvider();
  }
}
