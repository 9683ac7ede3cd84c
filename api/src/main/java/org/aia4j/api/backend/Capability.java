package org.aia4j.api.backend;

/** What a backend can do, so the CLI can pick one that fits the command or say none does. */
public enum Capability {
  /** Train models (needs autograd). */
  TRAIN,
  /** Run models: answer and generate. */
  INFER,
  /** Export checkpoints to another format, e.g. ONNX. */
  EXPORT,
  /** Measure per-layer interaction masses of a model. */
  PROFILE
}
