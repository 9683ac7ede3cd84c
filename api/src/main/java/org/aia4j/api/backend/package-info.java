/**
 * Backends: the compute engines (DJL on PyTorch, ONNX Runtime, ...) that train, run or export
 * models. Chosen like DJL engines: by name, else by rank, overridable by {@code aia4j.backend}.
 */
package org.aia4j.api.backend;
