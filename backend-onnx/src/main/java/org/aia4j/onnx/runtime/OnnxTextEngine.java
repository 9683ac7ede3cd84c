package org.aia4j.onnx.runtime;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.inference.checkpoint.TextModel;
import org.aia4j.inference.decode.Decoding;
import org.aia4j.inference.decode.TextCompletions;
import org.aia4j.inference.decode.TextEngine;
import org.aia4j.inference.model.ModelConfig;
import org.aia4j.inference.profile.ExplicitSequence;
import org.aia4j.loss.InteractionStatistic;
import org.aia4j.onnx.export.TransformerExporter;

/**
 * {@link TextEngine} on ONNX Runtime: the decoder exported in memory (either family) and decoded
 * with the two-part KV cache of {@link OnnxDecoding}; {@code I_l} from a second graph with the
 * attention outputs, exported on first use. Graphs are serialised in memory, so a model must fit
 * protobuf's 2 GiB (about 500 M float32 parameters). Or the graph of an {@code aia export} of an
 * import ({@link #fromGraph}).
 */
public final class OnnxTextEngine implements TextEngine {
  private final OrtEnvironment env;
  private final TextModel model;
  private final OnnxSession.Settings settings;
  private final OnnxSession decoder;
  private OnnxSession profiler;

  private OnnxTextEngine(OrtEnvironment env, TextModel model, OnnxSession.Settings settings, OnnxSession decoder) {
    this.env = env;
    this.model = model;
    this.settings = settings;
    this.decoder = decoder;
  }

  /**
   * @param options {@code device=cpu|cuda[:N]}, {@code threads=N}, as for {@link OnnxUnifiedModel}
   */
  public static OnnxTextEngine load(TextModel model, Map<String, String> options) throws IOException {
    if (model.model().forked()) {
      throw new IllegalArgumentException(model.dir() + " is forked (UniFork): raw-id decoding would have to pick a"
          + " branch; use --backend djl");
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OnnxSession.Settings settings = OnnxSession.Settings.parse(options);
    return new OnnxTextEngine(env, model, settings, session(env, model, false, settings));
  }

  /**
   * An engine on a graph already written ({@code aia export} of an import): it profiles only when
   * the graph was exported with its attention outputs ({@code aia export --attentions}).
   *
   * @param graph the ONNX file
   * @param options as for {@link #load}
   */
  public static OnnxTextEngine fromGraph(TextModel model, Path graph, Map<String, String> options) throws IOException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OnnxSession.Settings settings = OnnxSession.Settings.parse(options);
    ModelConfig config = model.model();
    OnnxSession session = OnnxSession.open(env, graph, config, config.vocabSize(), graph.toString(), settings);
    return new OnnxTextEngine(env, model, settings, session);
  }

  private static OnnxSession session(OrtEnvironment env, TextModel model, boolean attentions,
      OnnxSession.Settings settings) throws IOException {
    ModelConfig config = model.model();
    byte[] graph = new TransformerExporter(config, model.weights().tensors(), attentions)
        .export(Map.of("aia4j.source", model.source())).toByteArray();
    return OnnxSession.open(env, graph, config, config.vocabSize(), model.dir() + " (exported in memory"
        + (attentions ? ", with attentions)" : ")"), settings);
  }

  @Override
  public String engine() {
    return "onnx";
  }

  @Override
  public int[][] completeBatch(int[][] prompts, int maxTokens, SamplingSettings sampling, OptionalInt stop) {
    ModelConfig config = model.model();
    TextCompletions.checkPrompts(prompts, maxTokens, config.maxLength(), config.vocabSize());
    try (OnnxDecoding decoding = new OnnxDecoding(env, decoder)) {
      return TextCompletions.complete(decoding, prompts, maxTokens, sampling, stop);
    }
  }

  @Override
  public Decoding decoding() {
    return new OnnxDecoding(env, decoder);
  }

  @Override
  public List<double[]> interaction(List<ExplicitSequence> sequences) {
    try {
      if (profiler == null) {
        if (decoder.hasAttentions()) {
          profiler = decoder;
        } else if (model.weights().tensors().isEmpty()) {
          throw new IllegalArgumentException(model.dir() + " was exported without the attention outputs the"
              + " interaction statistic reads; re-export it with aia export --attentions, or profile the checkpoint");
        } else {
          profiler = session(env, model, true, settings);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot export " + model.dir() + " with attentions: " + e.getMessage(), e);
    }
    OnnxInteractionProfiler attentions = new OnnxInteractionProfiler(env, profiler, null);
    ModelConfig config = model.model();
    List<double[]> out = new ArrayList<>();
    // I_l is InteractionStatistic's, as in DJL training and profiling; ONNX Runtime gives the maps.
    try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      for (ExplicitSequence sequence : sequences) {
        int t = sequence.ids().length;
        float[][] maps = attentions.attentionsOf(List.of(sequence.ids()));
        try (NDManager step = manager.newSubManager()) {
          NDArray queries = step.create(sequence.queryMask(), new Shape(1, t));
          NDArray keys = step.create(sequence.keyMask(), new Shape(1, t));
          double[] layers = new double[config.layers()];
          for (int l = 0; l < layers.length; l++) {
            NDArray attention = step.create(maps[l], new Shape(1, config.heads(), t, t));
            layers[l] = InteractionStatistic.fromAttention(attention, queries, keys).getFloat(0);
          }
          out.add(layers);
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    decoder.close();
    if (profiler != null && profiler != decoder) {
      profiler.close();
    }
  }
}
