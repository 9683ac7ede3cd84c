package org.aia4j.djl.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.aia4j.djl.model.ForwardOptions;
import org.aia4j.djl.model.UnifiedTransformer;
import org.aia4j.inference.io.SafeTensors;
import org.aia4j.inference.model.ModelConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelWeightsTest {

  private static final ModelConfig CONFIG = ModelConfig.preset("tiny").withSeed(3);
  private static NDManager manager;
  private static UnifiedTransformer model;

  @TempDir Path dir;

  @BeforeAll
  static void setUp() {
    manager = NDManager.newBaseManager("PyTorch");
    model = new UnifiedTransformer(CONFIG);
    model.initialize(manager);
  }

  @AfterAll
  static void tearDown() {
    manager.close();
  }

  @Test
  void savedWeightsLoadBitExactlyIntoAFreshModel() throws IOException {
    Path file = dir.resolve("model.safetensors");
    ModelWeights.save(model, file, Map.of("run", "test"));

    SafeTensors.Contents contents = SafeTensors.read(file);
    assertThat(contents.tensors().keySet()).containsExactlyElementsOf(model.namedParameters().keySet());
    assertThat(contents.metadata())
        .containsEntry("format", "aia4j-unified-transformer")
        .containsEntry("run", "test");
    assertThat(ModelConfig.fromJson(contents.metadata().get("config"))).isEqualTo(CONFIG);

    try (NDManager m = manager.newSubManager()) {
      UnifiedTransformer copy = new UnifiedTransformer(CONFIG.withSeed(99));
      Map<String, String> meta = ModelWeights.load(copy, m, file);
      assertThat(meta).containsEntry("run", "test");
      for (String name : model.namedParameters().keySet()) {
        assertThat(copy.namedParameters().get(name).getArray().toFloatArray())
            .as(name)
            .isEqualTo(model.namedParameters().get(name).getArray().toFloatArray());
      }
      NDArray tokens = m.create(new long[] {1, 5, 9, 33, 2}, new Shape(1, 5));
      ParameterStore ps = new ParameterStore(m, false);
      NDArray a = model.forward(ps, tokens, ForwardOptions.logitsOnly()).logits();
      NDArray b = copy.forward(ps, tokens, ForwardOptions.logitsOnly()).logits();
      assertThat(b.toFloatArray()).isEqualTo(a.toFloatArray());
    }
  }

  @Test
  void missingParameter() throws IOException {
    Map<String, SafeTensors.Tensor> tensors = tensorsOf(model);
    tensors.remove("layers.1.mlp.up.bias");
    Path file = write(tensors);
    assertThatThrownBy(() -> ModelWeights.load(new UnifiedTransformer(CONFIG), manager, file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("parameter 'layers.1.mlp.up.bias' is missing");
  }

  @Test
  void wrongShapeForTheConfig() throws IOException {
    Path file = dir.resolve("m.safetensors");
    ModelWeights.save(model, file, Map.of());
    UnifiedTransformer wider = new UnifiedTransformer(CONFIG.withVocabSize(CONFIG.vocabSize() + 1));
    assertThatThrownBy(() -> ModelWeights.load(wider, manager, file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("tensor 'embedding.token.weight' has shape [64, 32]")
        .hasMessageContaining("needs [65, 32]");
  }

  @Test
  void extraTensorAndWrongDtype() throws IOException {
    Map<String, SafeTensors.Tensor> extra = tensorsOf(model);
    extra.put("layers.2.attention.qkv.weight", SafeTensors.Tensor.ofFloats(new long[] {1}, new float[1]));
    Path extraFile = write(extra);
    assertThatThrownBy(() -> ModelWeights.load(new UnifiedTransformer(CONFIG), manager, extraFile))
        .hasMessageContaining("tensor 'layers.2.attention.qkv.weight' is not a parameter");

    Map<String, SafeTensors.Tensor> f64 = tensorsOf(model);
    f64.put(
        "final_norm.bias",
        new SafeTensors.Tensor(SafeTensors.DType.F64, new long[] {32}, ByteBuffer.allocate(256)));
    Path f64File = write(f64);
    assertThatThrownBy(() -> ModelWeights.load(new UnifiedTransformer(CONFIG), manager, f64File))
        .hasMessageContaining("tensor 'final_norm.bias' has dtype F64, expected F32");
  }

  @Test
  void aFailedLoadLeavesTheModelUnchanged() throws IOException {
    Map<String, SafeTensors.Tensor> tensors = tensorsOf(model);
    tensors.remove("lm_head.weight");
    Path file = write(tensors);
    try (NDManager m = manager.newSubManager()) {
      UnifiedTransformer other = new UnifiedTransformer(CONFIG.withSeed(7));
      other.initialize(m);
      float[] before = other.namedParameters().get("embedding.token.weight").getArray().toFloatArray();
      assertThatThrownBy(() -> ModelWeights.load(other, m, file)).isInstanceOf(IOException.class);
      assertThat(other.namedParameters().get("embedding.token.weight").getArray().toFloatArray())
          .isEqualTo(before);
    }
  }

  private Path write(Map<String, SafeTensors.Tensor> tensors) throws IOException {
    Path file = dir.resolve("custom.safetensors");
    SafeTensors.write(file, tensors, Map.of());
    return file;
  }

  private static Map<String, SafeTensors.Tensor> tensorsOf(UnifiedTransformer m) {
    Map<String, SafeTensors.Tensor> map = new LinkedHashMap<>();
    m.namedParameters()
        .forEach(
            (name, p) ->
                map.put(
                    name,
                    SafeTensors.Tensor.ofFloats(
                        p.getArray().getShape().getShape(), p.getArray().toFloatArray())));
    return map;
  }
}
