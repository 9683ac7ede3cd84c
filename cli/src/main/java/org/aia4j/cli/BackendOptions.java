package org.aia4j.cli;

import picocli.CommandLine.Option;

/**
 * {@code --backend} and {@code --device} (a picocli mixin): which backend (or model provider)
 * runs a checkpoint and on what device. Commands differ in their default backend ({@code djl}
 * for evaluation and profiling, {@code onnx} for serving), so each passes its own, e.g. {@code
 * @Mixin BackendOptions backend = new BackendOptions("onnx");}.
 */
final class BackendOptions {
  @Option(names = "--backend", description = "Backend (or model provider) that runs the checkpoint: djl, or onnx "
      + "for a checkpoint or an aia export (default: ${DEFAULT-VALUE}).")
  String backend;

  @Option(names = "--device", defaultValue = "cpu",
      description = "cpu, or cuda[:N] for the onnx backend built with -Pcuda (default: ${DEFAULT-VALUE}).")
  String device = "cpu";

  /** @param defaultBackend the backend when {@code --backend} is not given */
  BackendOptions(String defaultBackend) {
    this.backend = defaultBackend;
  }

  /** The backend's (or model provider's) name. */
  String backend() {
    return backend;
  }

  /** {@code cpu} or {@code cuda[:N]}. */
  String device() {
    return device;
  }
}
