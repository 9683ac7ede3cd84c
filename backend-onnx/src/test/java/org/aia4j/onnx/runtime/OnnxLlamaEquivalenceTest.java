package org.aia4j.onnx.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OrtEnvironment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.aia4j.api.model.AnswerRequest;
import org.aia4j.api.model.InteractionProfile;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.api.model.Task;
import org.aia4j.djl.infer.DjlUnifiedModel;
import org.aia4j.djl.io.ModelWeights;
import org.aia4j.djl.model.ForwardOptions;
import org.aia4j.djl.model.UnifiedTransformer;
import org.aia4j.inference.io.SafeTensors;
import org.aia4j.inference.model.Architecture;
import org.aia4j.inference.model.ModelConfig;
import org.aia4j.inference.model.ModelTensors;
import org.aia4j.onnx.export.OnnxExport;
import org.aia4j.onnx.export.TransformerExporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The llama graph against the DJL llama model in the variants the Hugging Face reference does not
 * cover (a tied head, one key/value head per query head, a forked model's two branches, another
 * eps and base), and a trained llama checkpoint served through {@link OnnxUnifiedModel} as the
 * DJL backend serves it.
 */
class OnnxLlamaEquivalenceTest {
  @TempDir
  Path tmp;

  @Test
  void tiedForkedAndUngroupedGraphsEqualDjl() throws Exception {
    List<ModelConfig> configs = List.of(
        // Every query head its own key/value head, tied head, forked after layer 1.
        new ModelConfig(2, 32, 4, 48, 64, 50, 0, 1, Architecture.llama(4, 1e-6, 10_000, true)),
        // All four query heads on one key/value head, untied, fully shared.
        new ModelConfig(3, 32, 4, 40, 64, 50, 0, 3, Architecture.llama(1, 1e-5, 500_000, false)));
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OnnxSession.Settings settings = new OnnxSession.Settings("cpu", 1, false, null);
    SplittableRandom random = new SplittableRandom(29);
    for (ModelConfig config : configs) {
      Map<String, SafeTensors.Tensor> tensors = randomWeights(config, random);
      int batch = 3;
      int length = 21;
      long[] ids = new long[batch * length];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = random.nextInt(config.vocabSize());
      }
      float[][] byTask = new float[2][];
      try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
        UnifiedTransformer djl = new UnifiedTransformer(config);
        ModelWeights.load(djl, manager, Path.of("random.safetensors"), new SafeTensors.Contents(Map.of(), tensors));
        ParameterStore ps = new ParameterStore(manager, false);
        for (Task task : Task.values()) {
          float[] expected;
          try (NDManager step = manager.newSubManager()) {
            NDArray tokens = step.create(ids, new Shape(batch, length));
            expected = djl.forward(ps, tokens, ForwardOptions.logitsOnly().forTask(task)).logits().toFloatArray();
          }
          byte[] graph = new TransformerExporter(config, tensors, false, task).export(Map.of()).toByteArray();
          try (OnnxSession session = OnnxSession.open(env, graph, config, config.vocabSize(), "random llama",
              settings)) {
            float[] actual = OnnxEquivalenceTest.fullLogits(session, ids, batch, length);
            assertThat(actual).as("%s, %s", config, task)
                .containsExactly(expected, within(OnnxEquivalenceTest.LOGIT_TOLERANCE));
            byTask[task.ordinal()] = actual;
          }
        }
      }
      if (config.forked()) {
        // The branches really differ, so equality above could not hold by running the wrong one.
        double apart = 0;
        for (int i = 0; i < byTask[0].length; i++) {
          apart = Math.max(apart, Math.abs(byTask[0][i] - byTask[1][i]));
        }
        assertThat(apart).isGreaterThan(1e-2);
      }
    }
  }

  @Test
  void aTrainedLlamaCheckpointServesAsOnDjl() throws Exception {
    Path checkpoint = Checkpoints.train(tmp.resolve("tiny-llama"), "tiny-llama", 6, 64);
    Path export = tmp.resolve("export");
    OnnxExport.write(checkpoint, export, true);
    try (DjlUnifiedModel djl = DjlUnifiedModel.load(checkpoint);
        OnnxUnifiedModel onnx = OnnxUnifiedModel.load(export)) {
      assertThat(onnx.session().config().architecture().isLlama()).isTrue();
      // Questions of several lengths decode in one left-padded batch, prefilled in groups.
      List<AnswerRequest> questions = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        var sample = Checkpoints.DATA.understanding(300 + i);
        questions.add(new AnswerRequest(sample.image(), sample.prompt(), 6, new SamplingSettings(1.0, 1.0, 0, i)));
      }
      assertThat(onnx.answer(questions)).isEqualTo(djl.answer(questions));
      // Guidance adds a 2-token unconditional row beside each caption.
      List<String> prompts = List.of("a photo of a red circle", "a photo of two blue squares");
      SamplingSettings guided = new SamplingSettings(3.0, 1.0, 0, 0);
      float[][] expected = djl.firstImageLogits(prompts, guided);
      float[][] actual = onnx.firstImageLogits(prompts, guided);
      for (int i = 0; i < prompts.size(); i++) {
        assertThat(actual[i]).as("prompt %d", i).containsExactly(expected[i],
            within(OnnxEquivalenceTest.LOGIT_TOLERANCE * 4));
      }
      SamplingSettings hot = new SamplingSettings(3.0, 1.0, 8, 21);
      assertThat(onnx.imageCodes(prompts.get(0), 2, hot)).isDeepEqualTo(djl.imageCodes(prompts.get(0), 2, hot));
      for (Task task : Task.values()) {
        InteractionProfile reference = djl.interactions(task, Checkpoints.DATA, 8).orElseThrow();
        InteractionProfile profile = onnx.interactions(task, Checkpoints.DATA, 8).orElseThrow();
        for (int l = 0; l < reference.mean().size(); l++) {
          assertThat(profile.mean().get(l)).as("%s layer %d", task, l)
              .isCloseTo(reference.mean().get(l), within(1e-4));
        }
      }
    }
  }

  /** Norms near 1 and matrices of std 1/sqrt(columns): logits and scores of order 1. */
  private static Map<String, SafeTensors.Tensor> randomWeights(ModelConfig config, SplittableRandom random) {
    Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : ModelTensors.shapes(config).entrySet()) {
      long[] shape = e.getValue();
      float[] values = new float[Math.toIntExact(shape.length == 1 ? shape[0] : shape[0] * shape[1])];
      for (int i = 0; i < values.length; i++) {
        values[i] = shape.length == 1 ? (float) (1 + 0.1 * random.nextGaussian())
            : (float) (random.nextGaussian() / Math.sqrt(shape[1]));
      }
      tensors.put(e.getKey(), SafeTensors.Tensor.ofFloats(shape, values));
    }
    return tensors;
  }
}
