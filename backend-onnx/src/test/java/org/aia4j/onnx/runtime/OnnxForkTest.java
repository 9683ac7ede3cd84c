package org.aia4j.onnx.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.aia4j.api.checkpoint.Manifest;
import org.aia4j.api.model.AnswerRequest;
import org.aia4j.api.model.InteractionProfile;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.api.model.Task;
import org.aia4j.djl.checkpoint.Checkpoint;
import org.aia4j.djl.infer.DjlUnifiedModel;
import org.aia4j.djl.model.ForwardOptions;
import org.aia4j.inference.checkpoint.CheckpointFiles;
import org.aia4j.onnx.export.OnnxExport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A forked (UniFork) model on ONNX Runtime: one graph per branch, each equal to DJL's branch. */
class OnnxForkTest {
  @TempDir
  Path tmp;

  @Test
  void eachBranchEqualsDjlAndTheExportServesBoth() throws Exception {
    // Tiny (2 layers) forked after layer 1, trained until the branches differ.
    Path checkpoint = Checkpoints.train(tmp.resolve("unifork"), "tiny", 8, 64, 1);
    SplittableRandom random = new SplittableRandom(3);
    try (Checkpoint.Loaded reference = Checkpoint.load(checkpoint);
        OnnxUnifiedModel model = OnnxUnifiedModel.load(checkpoint)) {
      assertThat(model.session(Task.UNDERSTANDING)).isNotSameAs(model.session(Task.GENERATION));
      int vocab = reference.model().config().vocabSize();
      int batch = 3;
      int length = 30;
      long[] ids = new long[batch * length];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = random.nextInt(vocab);
      }
      float[][] byTask = new float[2][];
      for (Task task : Task.values()) {
        float[] expected;
        try (NDManager manager = reference.manager().newSubManager()) {
          NDArray tokens = manager.create(ids, new Shape(batch, length));
          expected = reference.model().forward(new ParameterStore(manager, false), tokens, ForwardOptions.logitsOnly().forTask(task))
              .logits().toFloatArray();
        }
        float[] actual = OnnxEquivalenceTest.fullLogits(model.session(task), ids, batch, length);
        assertThat(actual).as(task.toString()).containsExactly(expected, within(OnnxEquivalenceTest.LOGIT_TOLERANCE));
        byTask[task.ordinal()] = actual;
      }
      // The branches really differ, so equality above could not hold by running the wrong one.
      double apart = 0;
      for (int i = 0; i < byTask[0].length; i++) {
        apart = Math.max(apart, Math.abs(byTask[0][i] - byTask[1][i]));
      }
      assertThat(apart).isGreaterThan(1e-2);
      assertThatThrownBy(() -> OnnxExport.model(CheckpointFiles.open(checkpoint), false))
          .hasMessageContaining("is exported one branch at a time");
    }

    Path export = tmp.resolve("export");
    OnnxExport.write(checkpoint, export, false);
    assertThat(export.resolve("model-und.onnx")).exists();
    assertThat(export.resolve("model-gen.onnx")).exists();
    assertThat(export.resolve(OnnxExport.MODEL)).doesNotExist();
    try (DjlUnifiedModel djl = DjlUnifiedModel.load(checkpoint);
        OnnxUnifiedModel onnx = OnnxUnifiedModel.load(export)) {
      List<AnswerRequest> questions = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        var sample = Checkpoints.DATA.understanding(200 + i);
        questions.add(new AnswerRequest(sample.image(), sample.prompt(), 6));
      }
      assertThat(onnx.answer(questions)).isEqualTo(djl.answer(questions));
      SamplingSettings hot = new SamplingSettings(3.0, 1.0, 8, 21);
      String prompt = "a photo of a red circle";
      assertThat(onnx.imageCodes(prompt, 2, hot)).isDeepEqualTo(djl.imageCodes(prompt, 2, hot));

      // The interaction profile of each task through its own branch, on both engines.
      for (Task task : Task.values()) {
        InteractionProfile expected = djl.interactions(task, Checkpoints.DATA, 16).orElseThrow();
        InteractionProfile actual = onnx.interactions(task, Checkpoints.DATA, 16).orElseThrow();
        for (int l = 0; l < expected.mean().size(); l++) {
          assertThat(actual.mean().get(l)).as("%s layer %d", task, l).isCloseTo(expected.mean().get(l), within(1e-4));
        }
      }
    }

    // An export of a forked model that names one graph for both tasks is refused.
    ObjectNode config = (ObjectNode) new ObjectMapper().readTree(export.resolve("config.json").toFile());
    ObjectNode onnxSection = (ObjectNode) config.get("onnx");
    onnxSection.remove("files");
    onnxSection.put("file", "model-und.onnx");
    Files.writeString(export.resolve("config.json"), config.toString());
    Manifest.write(export);
    assertThatThrownBy(() -> OnnxUnifiedModel.load(export))
        .hasMessageContaining("the model is forked (fork 1 of 2 layers) but onnx names one graph");
  }
}
