package org.aia4j.onnx.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.aia4j.api.Registries;
import org.aia4j.api.checkpoint.Manifest;
import org.aia4j.api.model.UnifiedModel;
import org.aia4j.inference.checkpoint.CheckpointFiles;
import org.aia4j.onnx.export.OnnxExport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exports on disk: what they hold, and every way a bad one is refused before it can decode. */
class OnnxFilesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path tmp;

  static Path checkpoint;
  static Path export;

  @BeforeAll
  static void trainAndExport() throws Exception {
    checkpoint = Checkpoints.train(tmp.resolve("tiny"), "tiny", 4, 64);
    export = tmp.resolve("export");
    OnnxExport.write(checkpoint, export, false);
  }

  /** A fresh copy of the good export to damage. */
  private static Path copy(String name) throws IOException {
    return Checkpoints.copy(export, tmp.resolve(name));
  }

  @Test
  void anExportHoldsTheModelTokenizersAndProvenance() throws Exception {
    assertThat(Manifest.verify(export).digests()).containsKeys("model.onnx", "config.json",
        "tokenizers/image-tokenizer.json", "tokenizers/text-tokenizer.json");
    var config = JSON.readTree(export.resolve("config.json").toFile());
    assertThat(config.get("format").asText()).isEqualTo("aia4j-onnx");
    assertThat(config.at("/onnx/opset").asInt()).isGreaterThanOrEqualTo(17);
    assertThat(config.at("/source/model_sha256").asText())
        .isEqualTo(Manifest.read(checkpoint).digests().get("model.safetensors"));
    ModelProto model = ModelProto.parseFrom(Files.readAllBytes(export.resolve("model.onnx")));
    assertThat(model.getGraph().getInputList().stream().map(ValueInfoProto::getName))
        .containsExactly("input_ids", "attention_mask", "position_ids", "past_key_values.0.key",
            "past_key_values.0.value", "recent_key_values.0.key", "recent_key_values.0.value",
            "past_key_values.1.key", "past_key_values.1.value", "recent_key_values.1.key",
            "recent_key_values.1.value");
    assertThat(model.getGraph().getOutputList().stream().map(ValueInfoProto::getName))
        .containsExactly("logits", "present.0.key", "present.0.value", "present.1.key", "present.1.value");
    assertThat(model.getOpsetImport(0).getVersion()).isEqualTo(17L);
    // The batch and the lengths are symbolic.
    assertThat(model.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam())
        .isEqualTo("batch");

    // Through the registry, an export is recognised without naming the backend.
    try (UnifiedModel loaded = Registries.models().all().stream().filter(p -> p.canLoad(export)).findFirst()
        .orElseThrow().load(export, Map.of())) {
      assertThat(loaded.info().backend()).isEqualTo("onnx");
      assertThat(loaded.info().provenance()).containsEntry("source_checkpoint", checkpoint.toAbsolutePath().toString());
    }
  }

  /** The ONNX project's checker (Debian python3-onnx), with full shape inference, as an outside judge. */
  @Test
  void exportsPassTheOfficialOnnxChecker() throws Exception {
    Path python = Path.of("/usr/bin/python3");
    boolean checker = Files.isExecutable(python)
        && new ProcessBuilder(python.toString(), "-c", "import onnx").start().waitFor() == 0;
    // CI installs the checker (.ci/run): there a missing checker is a broken set-up, not a skip.
    if ("true".equals(System.getenv("CI"))) {
      assertThat(checker).as("python3-onnx must be installed under CI=true (apt-get install python3-onnx)").isTrue();
    }
    Assumptions.assumeTrue(checker, "python3-onnx is not installed (apt-get install python3-onnx)");
    Path withAttentions = tmp.resolve("export-attentions");
    OnnxExport.write(checkpoint, withAttentions, true);
    for (Path dir : List.of(export, withAttentions)) {
      Process check = new ProcessBuilder(python.toString(), "-c",
          "import onnx, sys; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); "
              + "print('ok', m.opset_import[0].version)", dir.resolve("model.onnx").toString())
          .redirectErrorStream(true).start();
      String output = new String(check.getInputStream().readAllBytes());
      assertThat(check.waitFor()).as(output).isZero();
      assertThat(output).contains("ok 17");
    }
  }

  @Test
  void aCorruptedModelFileIsRefusedByTheManifest() throws Exception {
    Path dir = copy("corrupted");
    byte[] bytes = Files.readAllBytes(dir.resolve("model.onnx"));
    bytes[bytes.length / 2] ^= 0x5A;
    Files.write(dir.resolve("model.onnx"), bytes);
    assertThatThrownBy(() -> OnnxUnifiedModel.load(dir)).isInstanceOf(IOException.class)
        .hasMessageContaining("model.onnx").hasMessageContaining("SHA-256");
  }

  @Test
  void aFileThatIsNotOnnxIsRefused() throws Exception {
    Path dir = copy("garbage");
    Files.writeString(dir.resolve("model.onnx"), "this is not a protobuf model");
    Manifest.write(dir);
    assertThatThrownBy(() -> OnnxUnifiedModel.load(dir)).isInstanceOf(IOException.class)
        .hasMessageContaining("not a valid ONNX model");
  }

  @Test
  void aModelOfAnotherVocabularyIsRefused() throws Exception {
    Path other = Checkpoints.train(tmp.resolve("other-vocab"), "tiny", 1, 48);
    Path dir = copy("wrong-vocab");
    Files.write(dir.resolve("model.onnx"),
        OnnxExport.model(CheckpointFiles.open(other), false).toByteArray());
    Manifest.write(dir);
    assertThatThrownBy(() -> OnnxUnifiedModel.load(dir)).isInstanceOf(IOException.class)
        .hasMessageContaining("outputs logits over")
        .hasMessageContaining("the ONNX file and the tokenizers come from different models");
  }

  @Test
  void aModelWithOtherInputsIsRefused() throws Exception {
    Path dir = copy("wrong-inputs");
    ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
    ((ObjectNode) config.get("model")).put("layers", 3);
    Files.writeString(dir.resolve("config.json"), JSON.writeValueAsString(config));
    Manifest.write(dir);
    assertThatThrownBy(() -> OnnxUnifiedModel.load(dir)).isInstanceOf(IOException.class)
        .hasMessageContaining("the ONNX inputs do not match a 3-layer aia4j export")
        .hasMessageContaining("missing [past_key_values.2.key, past_key_values.2.value, recent_key_values.2.key, "
            + "recent_key_values.2.value]");
  }

  @Test
  void otherFormatsAndOptionsAreRefusedByName() throws Exception {
    Path dir = copy("other-format");
    ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
    config.put("version", 99);
    Files.writeString(dir.resolve("config.json"), JSON.writeValueAsString(config));
    Manifest.write(dir);
    assertThatThrownBy(() -> OnnxUnifiedModel.load(dir)).hasMessageContaining("aia4j-onnx version 99 is not supported")
        .hasMessageContaining("(make it again with aia export)");
    assertThatThrownBy(() -> OnnxUnifiedModel.load(tmp.resolve("missing"))).hasMessageContaining("missing");
    assertThatThrownBy(() -> OnnxUnifiedModel.load(export, Map.of("device", "tpu")))
        .hasMessageContaining("Unknown device 'tpu'");
    assertThatThrownBy(() -> OnnxUnifiedModel.load(export, Map.of("precision", "fp16")))
        .hasMessageContaining("Unknown onnx model option 'precision'");
    assertThatThrownBy(() -> OnnxUnifiedModel.load(export, Map.of("spin", "yes")))
        .hasMessageContaining("spin must be true or false, got 'yes'");
    assertThatThrownBy(() -> OnnxUnifiedModel.load(export, Map.of("device", "cuda")))
        .hasMessageContaining("CUDA execution provider is not available").hasMessageContaining("-Pcuda");
  }

  @Test
  void exportingOverAGoodExportLeavesItIntactWhenTheCheckpointIsBad() throws Exception {
    Path target = copy("target");
    String before = Manifest.read(target).digests().get("model.onnx");
    Path bad = tmp.resolve("bad-checkpoint");
    Files.createDirectories(bad);
    Files.writeString(bad.resolve("config.json"), "{\"format\": \"aia4j-checkpoint\", \"version\": 1}");
    Manifest.write(bad);
    // No weights (and no model section): refused for the file the format requires first.
    assertThatThrownBy(() -> OnnxExport.write(bad, target, false)).isInstanceOf(IOException.class)
        .hasMessageContaining(bad.resolve("model.safetensors").toString())
        .hasMessageContaining("lacks a file its format requires");
    assertThat(Manifest.verify(target).digests().get("model.onnx")).isEqualTo(before);
  }
}
