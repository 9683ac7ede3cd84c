package org.aia4j.onnx.runtime;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.aia4j.api.data.TrainingData;
import org.aia4j.api.interaction.InteractionRoles;
import org.aia4j.api.interaction.InteractionSets;
import org.aia4j.api.interaction.TokenRole;
import org.aia4j.api.model.InteractionProfile;
import org.aia4j.api.model.Task;
import org.aia4j.inference.profile.ProfileSamples;
import org.aia4j.inference.sequence.SequenceBuilder;
import org.aia4j.inference.sequence.TokenSequence;
import org.aia4j.loss.InteractionStatistic;

/**
 * The per-layer interaction curve {@code I_l} of an exported model, from the {@code attentions.{i}}
 * outputs of an export made with them: for each sample, the mean over query positions and heads
 * of the attention mass on the key positions ({@link InteractionRoles}), the statistic of the AIA
 * loss and of the DJL profiler, on the same samples ({@link ProfileSamples}).
 */
final class OnnxInteractionProfiler {
  private final OrtEnvironment env;
  private final OnnxSession session;
  private final SequenceBuilder builder;

  OnnxInteractionProfiler(OrtEnvironment env, OnnxSession session, SequenceBuilder builder) {
    if (!session.hasAttentions()) {
      throw new IllegalArgumentException(session.source() + " has no attentions outputs");
    }
    this.env = env;
    this.session = session;
    this.builder = builder;
  }

  InteractionProfile profile(TrainingData data, InteractionRoles roles, int samples, int batchSize) {
    ProfileSamples.checkSizes(samples, batchSize);
    int layers = session.config().layers();
    int heads = session.config().heads();
    Task task = roles.task();
    List<double[]> perSample = new ArrayList<>();
    // I_l itself is InteractionStatistic's, as in DJL training and profiling: ONNX Runtime only
    // supplies the attention probabilities.
    try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      for (int start = 0; start < samples; start += batchSize) {
        int count = Math.min(batchSize, samples - start);
        List<TokenSequence> sequences = ProfileSamples.sequences(builder, data, task, start, count);
        float[][] attentions = attentions(sequences);
        int length = sequences.stream().mapToInt(TokenSequence::length).max().orElseThrow();
        int[][] codes = new int[count][length]; // right padding is OTHER (code 0)
        for (int b = 0; b < count; b++) {
          TokenRole[] role = sequences.get(b).roles();
          for (int t = 0; t < role.length; t++) {
            codes[b][t] = role[t].code();
          }
        }
        InteractionSets sets = roles.sets(codes);
        try (NDManager batch = manager.newSubManager()) {
          NDArray queryMask = sets.queryMask(batch);
          NDArray keyMask = sets.keyMask(batch);
          float[] hasQueries = InteractionStatistic.hasQueries(queryMask).toFloatArray();
          double[][] curves = new double[count][layers];
          for (int l = 0; l < layers; l++) {
            NDArray attention = batch.create(attentions[l], new Shape(count, heads, length, length));
            float[] masses = InteractionStatistic.fromAttention(attention, queryMask, keyMask).toFloatArray();
            for (int b = 0; b < count; b++) {
              curves[b][l] = masses[b];
            }
          }
          for (int b = 0; b < count; b++) {
            if (hasQueries[b] > 0) {
              perSample.add(curves[b]);
            }
          }
        }
      }
    }
    return ProfileSamples.summarize(task, perSample, layers);
  }

  /** One run over right-padded sequences: per layer, the flat {@code (B, H, T, T)} probabilities. */
  private float[][] attentions(List<TokenSequence> sequences) {
    return attentionsOf(sequences.stream().map(TokenSequence::tokens).toList());
  }

  /**
   * One run over right-padded rows of raw ids: per layer, the flat {@code (B, H, T, T)}
   * probabilities, {@code T} the longest row.
   */
  float[][] attentionsOf(List<int[]> sequences) {
    int rows = sequences.size();
    int length = sequences.stream().mapToInt(a -> a.length).max().orElseThrow();
    long[] ids = new long[rows * length];
    long[] positions = new long[rows * length];
    long[] mask = new long[rows * length];
    for (int b = 0; b < rows; b++) {
      int[] tokens = sequences.get(b);
      for (int t = 0; t < length; t++) {
        positions[b * length + t] = t;
        if (t < tokens.length) {
          ids[b * length + t] = tokens[t];
          mask[b * length + t] = 1;
        }
      }
    }
    int layers = session.config().layers();
    Set<String> wanted = new LinkedHashSet<>();
    for (int l = 0; l < layers; l++) {
      wanted.add("attentions." + l);
    }
    List<OnnxTensor> created = new ArrayList<>();
    try {
      long[] shape = {rows, length};
      Map<String, OnnxTensor> inputs = new HashMap<>();
      inputs.put("input_ids", keep(created, OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape)));
      inputs.put("position_ids", keep(created, OnnxTensor.createTensor(env, LongBuffer.wrap(positions), shape)));
      inputs.put("attention_mask", keep(created, OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape)));
      OnnxTensor empty = keep(created, OnnxTensor.createTensor(env, FloatBuffer.allocate(0),
          new long[] {rows, session.config().kvHeads(), 0, session.config().headDim()}));
      session.emptyCache(inputs, () -> empty);
      try (OrtSession.Result result = session.session().run(inputs, wanted)) {
        float[][] out = new float[layers][];
        for (int l = 0; l < layers; l++) {
          FloatBuffer buffer = ((OnnxTensor) result.get("attentions." + l).orElseThrow()).getFloatBuffer();
          out[l] = new float[buffer.remaining()];
          buffer.get(out[l]);
        }
        return out;
      }
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed to profile " + session.source() + ": " + e.getMessage(), e);
    } finally {
      created.forEach(OnnxTensor::close);
    }
  }

  private static OnnxTensor keep(List<OnnxTensor> created, OnnxTensor tensor) {
    created.add(tensor);
    return tensor;
  }
}
