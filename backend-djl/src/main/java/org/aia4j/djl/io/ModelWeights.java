package org.aia4j.djl.io;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.aia4j.djl.model.TorchMemory;
import org.aia4j.djl.model.UnifiedTransformer;
import org.aia4j.inference.io.SafeTensors;

/**
 * Saves and loads a {@link UnifiedTransformer}'s parameters as safetensors, one F32 tensor per
 * parameter under its stable name (see {@link UnifiedTransformer}). The file's metadata records
 * the format and the model's config JSON, so the file alone says what it holds.
 */
public final class ModelWeights {

  /** Metadata key of the format marker. */
  public static final String FORMAT_KEY = "format";
  /** The format marker's value. */
  public static final String FORMAT = "aia4j-unified-transformer";
  /** Metadata key of the model config JSON. */
  public static final String CONFIG_KEY = "config";

  private ModelWeights() {}

  /**
   * @param model an initialised model
   * @param file the file to write
   * @param metadata extra metadata (e.g. provenance); {@code format} and {@code config} are added
   * @throws IOException if the file cannot be written
   */
  public static void save(UnifiedTransformer model, Path file, Map<String, String> metadata)
      throws IOException {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put(FORMAT_KEY, FORMAT);
    meta.put(CONFIG_KEY, model.config().toJson());
    meta.putAll(metadata);
    Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
      var array = e.getValue().getArray();
      tensors.put(
          e.getKey(), SafeTensors.Tensor.ofFloats(array.getShape().getShape(), array.toFloatArray()));
    }
    SafeTensors.write(file, tensors, meta);
  }

  /**
   * Loads parameters into a model, initialising it first (on {@code manager}) if needed. The whole
   * file is validated before any parameter changes, so a failed load leaves the model as it was.
   *
   * @param model the model, built from the config the file was saved with
   * @param manager owns the parameters if the model is not initialised yet
   * @param file the file to read
   * @return the file's metadata
   * @throws IOException if the file is invalid (see {@link SafeTensors#read}), lacks a parameter,
   *     holds a tensor the model does not have, or a tensor of the wrong dtype or shape; the
   *     message names the tensor and the file
   */
  public static Map<String, String> load(UnifiedTransformer model, NDManager manager, Path file)
      throws IOException {
    return load(model, manager, file, false);
  }

  /**
   * Loads parameters as {@link #load(UnifiedTransformer, NDManager, Path)}, and, with {@code
   * forkFromShared}, starts a forked model from a fully shared one: a generation-branch parameter
   * the file lacks ({@code gen_X}) is loaded as a copy of {@code X}, as UniFork initialises its
   * generation branch from the pretrained deep layers.
   *
   * @param forkFromShared whether missing {@code gen_X} tensors are copied from {@code X}
   */
  public static Map<String, String> load(
      UnifiedTransformer model, NDManager manager, Path file, boolean forkFromShared)
      throws IOException {
    return load(model, manager, file, SafeTensors.read(file), forkFromShared);
  }

  /**
   * Loads parameters already read from {@code file} (and checked, e.g. by {@code
   * CheckpointFiles#weights}), so the file is not read twice.
   */
  public static Map<String, String> load(
      UnifiedTransformer model, NDManager manager, Path file, SafeTensors.Contents read)
      throws IOException {
    return load(model, manager, file, read, false);
  }

  private static Map<String, String> load(
      UnifiedTransformer model, NDManager manager, Path file, SafeTensors.Contents read,
      boolean forkFromShared) throws IOException {
    Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>(read.tensors());
    if (forkFromShared) {
      for (String name : model.namedParameters().keySet()) {
        String twin = UnifiedTransformer.initialName(name);
        if (!tensors.containsKey(name) && !twin.equals(name) && tensors.containsKey(twin)) {
          tensors.put(name, tensors.get(twin));
        }
      }
    }
    SafeTensors.Contents contents = new SafeTensors.Contents(read.metadata(), tensors);
    Map<String, Parameter> params = model.namedParameters();
    for (String name : contents.tensors().keySet()) {
      if (!params.containsKey(name)) {
        throw new IOException(file + ": tensor '" + name + "' is not a parameter of a model with "
            + model.config());
      }
    }
    for (Map.Entry<String, Parameter> e : params.entrySet()) {
      SafeTensors.Tensor t = contents.tensors().get(e.getKey());
      if (t == null) {
        throw new IOException(file + ": parameter '" + e.getKey() + "' is missing");
      }
      if (t.dtype() != SafeTensors.DType.F32) {
        throw new IOException(file + ": tensor '" + e.getKey() + "' has dtype " + t.dtype()
            + ", expected F32");
      }
      Shape expected = e.getValue().getShape();
      if (!Arrays.equals(t.shape(), expected.getShape())) {
        throw new IOException(file + ": tensor '" + e.getKey() + "' has shape "
            + Arrays.toString(t.shape()) + ", but the config " + model.config() + " needs "
            + Arrays.toString(expected.getShape()));
      }
    }
    if (!model.isInitialized()) {
      model.initialize(manager);
    }
    for (Map.Entry<String, Parameter> e : params.entrySet()) {
      TorchMemory.overwrite(e.getValue().getArray(), contents.tensors().get(e.getKey()).toFloats());
    }
    return contents.metadata();
  }
}
