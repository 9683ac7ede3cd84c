package org.aia4j.onnx.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.aia4j.inference.model.ModelConfig;

/**
 * An ONNX Runtime session of an exported unified transformer, checked on open against the model
 * configuration and vocabulary it is meant to serve, so a mismatched file fails at load time with
 * a message that says what differs, never later with a shape error mid-decode.
 */
final class OnnxSession implements AutoCloseable {
  private final OrtSession session;
  private final ModelConfig config;
  private final int vocabularySize;
  private final String source;
  private final Set<String> decodeOutputs;
  /** The names of every cache input, past and recent. */
  private final Set<String> cacheInputs;
  private final boolean attentions;
  /** Sessions opened with a profile so far, numbering their profile files. */
  private static final AtomicInteger PROFILED_SESSIONS = new AtomicInteger();

  private OnnxSession(OrtSession session, ModelConfig config, int vocabularySize, String source, boolean attentions) {
    this.session = session;
    this.config = config;
    this.vocabularySize = vocabularySize;
    this.source = source;
    this.decodeOutputs = OnnxDecoding.outputs(config.layers());
    this.cacheInputs = cacheInputs(config.layers());
    this.attentions = attentions;
  }

  /**
   * Where the session runs, with how many threads, and whether idle threads spin.
   *
   * @param spin whether intra-op threads busy-wait for the next op (ONNX Runtime's default): the
   *     fastest choice when the model has the cores to itself; a server that also parses requests on
   *     the same cores may do better without it
   * @param profile null, or the file prefix of ONNX Runtime's per-operator profile (Chrome trace
   *     JSON), written when the model is closed; each session of the process adds {@code -sessionN}
   *     to it, so two models loaded in the same second (a benchmark's two servers) do not overwrite
   *     each other's profile
   */
  record Settings(String device, int threads, boolean spin, String profile) {
    static final Settings DEFAULT = new Settings("cpu", 0, true, null);

    /**
     * Parses provider options: {@code device=cpu|cuda[:N]}, {@code threads=N} (0 = all cores),
     * {@code spin=true|false}, {@code profile=PREFIX}.
     */
    static Settings parse(Map<String, String> options) {
      String device = "cpu";
      int threads = 0;
      boolean spin = true;
      String profile = null;
      for (Map.Entry<String, String> e : options.entrySet()) {
        switch (e.getKey()) {
          case "device" -> {
            device = e.getValue();
            if (!device.equals("cpu") && !device.matches("cuda(:\\d+)?")) {
              throw new IllegalArgumentException("Unknown device '" + device + "' for the onnx backend; use cpu or cuda[:N]");
            }
          }
          case "threads" -> {
            try {
              threads = Integer.parseInt(e.getValue());
            } catch (NumberFormatException ex) {
              threads = -1;
            }
            if (threads < 0) {
              throw new IllegalArgumentException("threads must be a whole number >= 0, got '" + e.getValue() + "'");
            }
          }
          case "spin" -> {
            if (!e.getValue().equals("true") && !e.getValue().equals("false")) {
              throw new IllegalArgumentException("spin must be true or false, got '" + e.getValue() + "'");
            }
            spin = Boolean.parseBoolean(e.getValue());
          }
          case "profile" -> {
            if (e.getValue().isBlank()) {
              throw new IllegalArgumentException("profile needs a file prefix, e.g. profile=/tmp/ort");
            }
            profile = e.getValue();
          }
          default -> throw new IllegalArgumentException("Unknown onnx model option '" + e.getKey()
              + "'. Known options: device (cpu, cuda[:N]), threads (0 = all cores), spin (true, false), "
              + "profile (a file prefix)");
        }
      }
      return new Settings(device, threads, spin, profile);
    }
  }

  /**
   * Opens and checks a session.
   *
   * @param model the ONNX file's path ({@link java.nio.file.Path}) or its bytes
   * @param vocabularySize what the tokenizers give; the logits must match it
   * @param source names the model in errors
   */
  static OnnxSession open(OrtEnvironment env, Object model, ModelConfig config, int vocabularySize, String source,
      Settings settings) throws IOException {
    OrtSession session;
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setIntraOpNumThreads(settings.threads() > 0 ? settings.threads()
          : Runtime.getRuntime().availableProcessors());
      options.setInterOpNumThreads(1);
      if (!settings.spin()) {
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
      }
      if (settings.profile() != null) {
        options.enableProfiling(settings.profile() + "-session" + PROFILED_SESSIONS.incrementAndGet());
      }
      if (settings.device().startsWith("cuda")) {
        int id = settings.device().contains(":") ? Integer.parseInt(settings.device().substring(5)) : 0;
        try {
          options.addCUDA(id);
        } catch (OrtException | RuntimeException | LinkageError e) {
          throw new IOException("The CUDA execution provider is not available (" + e.getMessage()
              + "); build with ./mvnw -Pcuda (onnxruntime_gpu) on a machine with CUDA 12, or use device=cpu", e);
        }
      }
      session = model instanceof byte[] bytes ? env.createSession(bytes, options)
          : env.createSession(model.toString(), options);
    } catch (OrtException e) {
      throw new IOException(source + ": not a valid ONNX model (" + e.getMessage() + ")", e);
    }
    try {
      boolean attentions = check(session, config, vocabularySize, source);
      return new OnnxSession(session, config, vocabularySize, source, attentions);
    } catch (IOException | RuntimeException e) {
      closeQuietly(session);
      throw e;
    }
  }

  /** @return whether the model outputs {@code attentions.{i}} */
  private static boolean check(OrtSession session, ModelConfig config, int vocabularySize, String source)
      throws IOException {
    try {
      Map<String, NodeInfo> inputs = session.getInputInfo();
      Map<String, NodeInfo> outputs = session.getOutputInfo();
      Set<String> wanted = new TreeSet<>(Set.of("input_ids", "attention_mask", "position_ids"));
      wanted.addAll(cacheInputs(config.layers()));
      if (!inputs.keySet().equals(wanted)) {
        Set<String> missing = new TreeSet<>(wanted);
        missing.removeAll(inputs.keySet());
        Set<String> extra = new TreeSet<>(inputs.keySet());
        extra.removeAll(wanted);
        throw new IOException(source + ": the ONNX inputs do not match a " + config.layers()
            + "-layer aia4j export" + (missing.isEmpty() ? "" : "; missing " + missing)
            + (extra.isEmpty() ? "" : "; unexpected " + extra) + " (re-export the checkpoint with aia export)");
      }
      // The cache has the key/value heads (fewer than the query heads under grouped-query attention).
      long[] pastShape = shape(inputs.get(pastKey(0)));
      if (pastShape.length != 4 || pastShape[1] != config.kvHeads() || pastShape[3] != config.headDim()) {
        throw new IOException(source + ": past_key_values.0.key has shape " + Arrays.toString(pastShape)
            + " but the config wants (batch, " + config.kvHeads() + ", past, " + config.headDim() + ")");
      }
      NodeInfo logits = outputs.get("logits");
      if (logits == null) {
        throw new IOException(source + ": the ONNX model has no 'logits' output");
      }
      long[] logitShape = shape(logits);
      long vocabulary = logitShape.length == 3 ? logitShape[2] : -2;
      if (vocabulary != vocabularySize) {
        throw new IOException(source + ": the model outputs logits over " + vocabulary + " tokens but its tokenizers"
            + " give a vocabulary of " + vocabularySize + "; the ONNX file and the tokenizers come from different models");
      }
      for (int i = 0; i < config.layers(); i++) {
        for (String name : new String[] {presentKey(i), presentValue(i)}) {
          if (!outputs.containsKey(name)) {
            throw new IOException(source + ": the ONNX model has no '" + name + "' output");
          }
        }
      }
      return outputs.containsKey("attentions.0");
    } catch (OrtException e) {
      throw new IOException(source + ": cannot read the ONNX model's signature: " + e.getMessage(), e);
    }
  }

  private static long[] shape(NodeInfo info) throws IOException {
    if (!(info.getInfo() instanceof TensorInfo tensor)) {
      throw new IOException(info.getName() + " is not a tensor");
    }
    return tensor.getShape();
  }

  static String pastKey(int layer) {
    return "past_key_values." + layer + ".key";
  }

  static String pastValue(int layer) {
    return "past_key_values." + layer + ".value";
  }

  static String recentKey(int layer) {
    return "recent_key_values." + layer + ".key";
  }

  static String recentValue(int layer) {
    return "recent_key_values." + layer + ".value";
  }

  /** @return the names of every cache input, past and recent, of a {@code layers}-layer export */
  static Set<String> cacheInputs(int layers) {
    Set<String> names = new LinkedHashSet<>();
    for (int i = 0; i < layers; i++) {
      names.addAll(List.of(pastKey(i), pastValue(i), recentKey(i), recentValue(i)));
    }
    return names;
  }

  /**
   * Feeds an empty {@code (rows, kv_heads, 0, head_dim)} tensor from {@code empty} to every cache
   * input that {@code inputs} does not set yet: a prompt's run has no cache, and a first step no
   * recent part. A run whose cache is complete makes no tensor.
   */
  void emptyCache(Map<String, OnnxTensor> inputs, Supplier<OnnxTensor> empty) {
    if (inputs.keySet().containsAll(cacheInputs)) {
      return;
    }
    OnnxTensor tensor = empty.get();
    for (String name : cacheInputs) {
      inputs.putIfAbsent(name, tensor);
    }
  }

  static String presentKey(int layer) {
    return "present." + layer + ".key";
  }

  static String presentValue(int layer) {
    return "present." + layer + ".value";
  }

  OrtSession session() {
    return session;
  }

  ModelConfig config() {
    return config;
  }

  int vocabularySize() {
    return vocabularySize;
  }

  String source() {
    return source;
  }

  Set<String> decodeOutputs() {
    return decodeOutputs;
  }

  boolean hasAttentions() {
    return attentions;
  }

  @Override
  public void close() {
    try {
      // Writes the per-operator profile if the session was opened with one; a no-op otherwise.
      session.endProfiling();
    } catch (OrtException e) {
      // The profile is a diagnostic; closing must not fail for it.
    }
    closeQuietly(session);
  }

  private static void closeQuietly(OrtSession session) {
    try {
      session.close();
    } catch (OrtException e) {
      // Nothing useful to do: the native session is gone either way.
    }
  }
}
