package org.aia4j.onnx.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.aia4j.api.checkpoint.Manifest;
import org.aia4j.api.model.UnifiedModel;
import org.aia4j.djl.checkpoint.Checkpoint;
import org.aia4j.djl.infer.DjlUnifiedModel;
import org.aia4j.inference.io.SafeTensors;
import org.aia4j.onnx.export.OnnxExport;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint is trusted only when all of it is verified, the same way on both backends: each
 * damaged copy of a real checkpoint is loaded by DJL and by ONNX Runtime, and both refuse it with
 * a message naming the file and the field, before a model is built.
 */
class CheckpointTrustTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path tmp;

  static Path checkpoint;

  @BeforeAll
  static void train() throws Exception {
    checkpoint = Checkpoints.train(tmp.resolve("tiny"), "tiny", 2, 64);
  }

  private static Path copy(String name) throws IOException {
    return Checkpoints.copy(checkpoint, tmp.resolve(name));
  }

  /** Both backends refuse {@code dir}; returns the assertion on the DJL error, the ONNX one checked alike. */
  private static void bothRefuse(Path dir, Consumer<AbstractThrowableAssert<?, ? extends Throwable>> expect) {
    expect.accept(assertThatThrownBy(() -> {
      try (UnifiedModel model = DjlUnifiedModel.load(dir)) {
        model.name();
      }
    }).as("djl").isInstanceOf(IOException.class));
    expect.accept(assertThatThrownBy(() -> {
      try (UnifiedModel model = OnnxUnifiedModel.load(dir)) {
        model.name();
      }
    }).as("onnx").isInstanceOf(IOException.class));
  }

  private static void flipWeightByte(Path dir) throws IOException {
    byte[] bytes = Files.readAllBytes(dir.resolve("model.safetensors"));
    bytes[bytes.length - 10] ^= 0x40;
    Files.write(dir.resolve("model.safetensors"), bytes);
  }

  private static void editConfig(Path dir, Consumer<ObjectNode> change) throws IOException {
    ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
    change.accept(config);
    Files.writeString(dir.resolve("config.json"), JSON.writeValueAsString(config));
    Manifest.write(dir);
  }

  private static void rewriteWeights(Path dir, Consumer<Map<String, SafeTensors.Tensor>> change) throws IOException {
    SafeTensors.Contents read = SafeTensors.read(dir.resolve("model.safetensors"));
    Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>(read.tensors());
    change.accept(tensors);
    SafeTensors.write(dir.resolve("model.safetensors"), tensors, read.metadata());
    Manifest.write(dir);
  }

  @Test
  void theGoodCheckpointLoadsOnBoth() throws Exception {
    try (UnifiedModel djl = DjlUnifiedModel.load(checkpoint); UnifiedModel onnx = OnnxUnifiedModel.load(checkpoint)) {
      assertThat(djl.info().layers()).isEqualTo(2);
      assertThat(onnx.info().layers()).isEqualTo(2);
    }
  }

  @Test
  void anEmptyManifestOrOneWithoutTheWeightsIsRefusedEvenBeforeTheFlippedByte() throws Exception {
    Path empty = copy("empty-manifest");
    flipWeightByte(empty);
    Files.writeString(empty.resolve(Manifest.FILE_NAME), "");
    bothRefuse(empty, e -> e.hasMessageContaining(empty.resolve(Manifest.FILE_NAME).toString())
        .hasMessageContaining("lists no file, so it verifies nothing"));

    Path partial = copy("no-weights-line");
    flipWeightByte(partial);
    List<String> lines = Files.readAllLines(partial.resolve(Manifest.FILE_NAME)).stream()
        .filter(line -> !line.endsWith("  model.safetensors")).toList();
    Files.write(partial.resolve(Manifest.FILE_NAME), lines);
    bothRefuse(partial, e -> e.hasMessageContaining("does not list model.safetensors, which the format requires"));

    Path noTokenizer = copy("no-tokenizer-line");
    Files.write(noTokenizer.resolve(Manifest.FILE_NAME), Files.readAllLines(noTokenizer.resolve(Manifest.FILE_NAME))
        .stream().filter(line -> !line.endsWith("image-tokenizer.json")).toList());
    bothRefuse(noTokenizer, e -> e.hasMessageContaining("does not list tokenizers/image-tokenizer.json"));
  }

  @Test
  void aHugeConfigIsRefusedBeforeAnyAllocationAndAMismatchedOneByTheWeightsHeader() throws Exception {
    Path million = copy("million-layers");
    editConfig(million, c -> ((ObjectNode) c.get("model")).put("layers", 1_000_000).put("fork", 1_000_000));
    long start = System.nanoTime();
    bothRefuse(million, e -> e.hasMessageContaining(million.resolve("config.json").toString())
        .hasMessageContaining("invalid model section: layers must be <= 1024, got 1000000"));
    assertThat((System.nanoTime() - start) / 1e9).as("seconds to refuse").isLessThan(10);

    Path max = copy("max-layers");
    editConfig(max, c -> ((ObjectNode) c.get("model")).put("layers", Integer.MAX_VALUE).remove("fork"));
    bothRefuse(max, e -> e.hasMessageContaining("layers must be <= 1024, got 2147483647"));

    Path three = copy("three-layers");
    editConfig(three, c -> ((ObjectNode) c.get("model")).put("layers", 3).put("fork", 3));
    bothRefuse(three, e -> e.hasMessageContaining(three.resolve("model.safetensors") + " holds 29 tensors but the"
        + " model section of " + three.resolve("config.json") + " (layers 3, fork 3) needs 41"));
  }

  @Test
  void anExtraTensorIsRefusedByBothWithTheSameMessage() throws Exception {
    Path dir = copy("extra-tensor");
    rewriteWeights(dir, t -> {
      t.remove("final_norm.bias");
      t.put("layers.7.attention.qkv.bias", SafeTensors.Tensor.ofFloats(new long[] {32}, new float[32]));
    });
    bothRefuse(dir, e -> e.hasMessageStartingWith(dir.resolve("model.safetensors")
        + ": tensor 'layers.7.attention.qkv.bias' is not a parameter of the model that " + dir.resolve("config.json")));
  }

  @Test
  void nonFiniteWeightsAreRefusedAtLoadWithTheTensorsName() throws Exception {
    Path dir = copy("nan-weights");
    rewriteWeights(dir, t -> {
      SafeTensors.Tensor head = t.get("lm_head.weight");
      ByteBuffer data = ByteBuffer.allocate(head.data().remaining()).order(ByteOrder.LITTLE_ENDIAN);
      data.put(head.data().duplicate()).flip();
      data.putFloat(4 * 5, Float.NaN);
      t.put("lm_head.weight", new SafeTensors.Tensor(SafeTensors.DType.F32, head.shape(), data));
    });
    bothRefuse(dir, e -> e.hasMessageContaining(dir.resolve("model.safetensors")
        + ": tensor 'lm_head.weight' holds NaN at element 5"));
    // The export of such a checkpoint is refused too, before anything is written.
    assertThatThrownBy(() -> OnnxExport.write(dir, tmp.resolve("nan-export"), false)).hasMessageContaining("NaN");
    assertThat(tmp.resolve("nan-export")).doesNotExist();
  }

  @Test
  void anExportWithNonFiniteWeightsIsRefusedAtLoad() throws Exception {
    Path export = tmp.resolve("nan-in-onnx");
    OnnxExport.write(checkpoint, export, false);
    ai.onnx.proto.OnnxMl.ModelProto model =
        ai.onnx.proto.OnnxMl.ModelProto.parseFrom(Files.readAllBytes(export.resolve("model.onnx")));
    var builder = model.toBuilder();
    var graph = builder.getGraphBuilder();
    int index = -1;
    for (int i = 0; i < graph.getInitializerCount(); i++) {
      if (graph.getInitializer(i).getName().equals("lm_head.weight")) {
        index = i;
      }
    }
    assertThat(index).isNotNegative();
    byte[] raw = graph.getInitializer(index).getRawData().toByteArray();
    ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).putFloat(4 * 3, Float.POSITIVE_INFINITY);
    graph.setInitializer(index, graph.getInitializer(index).toBuilder()
        .setRawData(com.google.protobuf.ByteString.copyFrom(raw)));
    Files.write(export.resolve("model.onnx"), builder.build().toByteArray());
    Manifest.write(export);
    assertThatThrownBy(() -> OnnxUnifiedModel.load(export)).hasMessageContaining(export.resolve("model.onnx")
        + ": initializer 'lm_head.weight' holds Infinity at element 3");
  }

  @Test
  void trailingContentAndAMissingModelSectionAreNamed() throws Exception {
    Path trailing = copy("trailing");
    Files.writeString(trailing.resolve("config.json"), Files.readString(trailing.resolve("config.json")).strip() + "}{");
    Manifest.write(trailing);
    bothRefuse(trailing, e -> e.hasMessageContaining(trailing.resolve("config.json") + ": not valid JSON")
        .hasMessageContaining("content follows the JSON object"));

    Path noModel = copy("no-model");
    editConfig(noModel, c -> c.remove("model"));
    bothRefuse(noModel, e -> e.hasMessageContaining(noModel.resolve("config.json")
        + ": the model section is missing").hasMessageNotContaining("NullPointer"));
  }

  @Test
  void tokenizerSizesThatOverflowOrDoNotFitTheModelAreRefusedByFileAndField() throws Exception {
    Path file = Path.of("tokenizers", "image-tokenizer.json");
    Path patch = copy("patch-65536");
    editJson(patch, file, t -> t.put("patchSize", 65536));
    bothRefuse(patch, e -> e.hasMessageContaining(patch.resolve(file) + ": 'patchSize' must be in [1, 256], got 65536")
        .hasMessageNotContaining("out of bounds"));

    Path huge = copy("image-1048576");
    editJson(huge, file, t -> t.put("imageSize", 1_048_576));
    bothRefuse(huge, e -> e.hasMessageContaining(huge.resolve(file) + ": 'imageSize' must be in [1, 4096], got 1048576"));

    // Within bounds, but 1024 tokens per image cannot fit the tiny model's 128 positions.
    Path tooLong = copy("image-256");
    editJson(tooLong, file, t -> t.put("imageSize", 256));
    bothRefuse(tooLong, e -> e.hasMessageContaining("makes 1024 tokens per image (imageSize 256)")
        .hasMessageContaining("has maxLength 128"));
  }

  @Test
  void resumeRefusesAManifestThatDoesNotVouchForTheOptimizer() throws Exception {
    Path dir = copy("no-optimizer-line");
    Files.write(dir.resolve(Manifest.FILE_NAME), Files.readAllLines(dir.resolve(Manifest.FILE_NAME)).stream()
        .filter(line -> !line.endsWith("  optimizer.safetensors")).toList());
    assertThatThrownBy(() -> Checkpoint.resume(dir, Checkpoints.DATA, null))
        .hasMessageContaining("does not list optimizer.safetensors");
  }

  private static void editJson(Path dir, Path file, Consumer<ObjectNode> change) throws IOException {
    ObjectNode json = (ObjectNode) JSON.readTree(dir.resolve(file).toFile());
    change.accept(json);
    Files.writeString(dir.resolve(file), JSON.writeValueAsString(json));
    Manifest.write(dir);
  }
}
