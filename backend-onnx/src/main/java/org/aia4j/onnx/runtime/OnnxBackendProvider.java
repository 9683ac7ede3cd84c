package org.aia4j.onnx.runtime;

import ai.onnxruntime.OrtEnvironment;
import java.util.EnumSet;
import java.util.Set;
import org.aia4j.api.backend.BackendProvider;
import org.aia4j.api.backend.Capability;
import org.aia4j.api.model.ModelProvider;

/** The {@code onnx} backend: ONNX Runtime inference on exported checkpoints (CPU; CUDA with -Pcuda). */
public final class OnnxBackendProvider implements BackendProvider {

  @Override
  public String name() {
    return "onnx";
  }

  @Override
  public int rank() {
    return 20;
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.of(Capability.INFER, Capability.EXPORT);
  }

  /** @return true when ONNX Runtime's native library loads on this platform */
  @Override
  public boolean isAvailable() {
    try {
      OrtEnvironment.getEnvironment();
      return true;
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  @Override
  public String description() {
    return "ONNX Runtime " + runtimeVersion() + " (CPU; CUDA execution provider with -Pcuda): infer, export";
  }

  @Override
  public ModelProvider models() {
    return new OnnxModelProvider();
  }

  /** @return the ONNX Runtime version of the jar on the class path */
  static String runtimeVersion() {
    try {
      return OrtEnvironment.getEnvironment().getVersion();
    } catch (RuntimeException | LinkageError e) {
      return "unavailable (" + e.getMessage() + ")";
    }
  }
}
