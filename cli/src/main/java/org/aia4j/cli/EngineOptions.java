package org.aia4j.cli;

import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Option;

/** The model loader's options of the commands that serve a model (a picocli mixin). */
final class EngineOptions {
  @Option(names = "--threads", description = "Threads of the model's engine (onnx: intra-op threads; default: the backend's own).")
  Integer threads;

  @Option(names = "--engine-option", paramLabel = "KEY=VALUE", description = "An option of the backend's model "
      + "loader, repeatable (onnx: device, threads, spin=false to let idle engine threads sleep, profile=PREFIX for "
      + "a per-operator profile; djl: device).")
  Map<String, String> engineOptions;

  /** The options for the model loader ({@link ModelLoading#options(Map, Integer)}). */
  Map<String, String> options() {
    return ModelLoading.options(engineOptions, threads);
  }

  /** The options as a command line gives them, in a stable order. */
  String flags() {
    StringBuilder flags = new StringBuilder();
    new TreeMap<>(options()).forEach((k, v) -> flags.append(" --engine-option ").append(k).append('=').append(v));
    return flags.toString();
  }
}
