package org.aia4j.inference.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.aia4j.inference.io.SafeTensors;
import org.aia4j.testkit.PythonFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfWeightsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SHARD1 = "model-00001-of-00002.safetensors";
  private static final String SHARD2 = "model-00002-of-00002.safetensors";

  @TempDir Path dir;

  static Path fixture() throws Exception {
    return PythonFixtures.tinyLlama();
  }

  // A damageable copy of the generated checkpoint.
  private Path copy() throws Exception {
    Path to = dir.resolve("ckpt");
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(fixture())) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
    return to;
  }

  private static List<String> expectedNames(int layers) {
    List<String> names = new ArrayList<>();
    names.add("model.embed_tokens.weight");
    for (int i = 0; i < layers; i++) {
      String p = "model.layers." + i + ".";
      for (String s : List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
          "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj",
          "input_layernorm", "post_attention_layernorm")) {
        names.add(p + s + ".weight");
      }
    }
    names.add("model.norm.weight");
    names.add("lm_head.weight");
    return names;
  }

  @Test
  void theTinyCheckpointReadsWithItsNamesShapesAndValues() throws Exception {
    HfConfig config = HfConfig.read(fixture());
    JsonNode expected = JSON.readTree(fixture().resolve("expected.json").toFile());
    try (HfWeights w = HfWeights.open(fixture())) {
      assertThat(w.names()).containsExactlyInAnyOrderElementsOf(expectedNames(2));
      assertThat(w.source()).isEqualTo(fixture().resolve(HfWeights.INDEX_FILE));
      assertThat(w.shardFiles()).extracting(p -> p.getFileName().toString())
          .containsExactly(SHARD1, SHARD2);
      int h = config.hiddenSize();
      int kv = config.numKeyValueHeads() * config.headDim();
      int v = config.vocabSize();
      int m = config.intermediateSize();
      for (int i = 0; i < 2; i++) {
        String p = "model.layers." + i + ".";
        w.requireShape(p + "self_attn.q_proj.weight", h, h);
        w.requireShape(p + "self_attn.k_proj.weight", kv, h);
        w.requireShape(p + "self_attn.v_proj.weight", kv, h);
        w.requireShape(p + "self_attn.o_proj.weight", h, h);
        w.requireShape(p + "mlp.gate_proj.weight", m, h);
        w.requireShape(p + "mlp.up_proj.weight", m, h);
        w.requireShape(p + "mlp.down_proj.weight", h, m);
        w.requireShape(p + "input_layernorm.weight", h);
        w.requireShape(p + "post_attention_layernorm.weight", h);
        assertThat(w.shardOf(p + "mlp.up_proj.weight").getFileName().toString())
            .isEqualTo(i == 0 ? SHARD1 : SHARD2);
      }
      w.requireShape("model.embed_tokens.weight", v, h);
      w.requireShape("lm_head.weight", v, h);
      w.requireShape("model.norm.weight", h);
      assertThat(w.shape("model.layers.0.self_attn.k_proj.weight")).containsExactly(16, 32);

      for (String name : w.names()) {
        assertThat(w.dtype(name)).isEqualTo("BF16");
      }
      assertThat(expected.size()).isEqualTo(5);
      for (var it = expected.fields(); it.hasNext(); ) {
        var e = it.next();
        float[] values = w.read(e.getKey());
        long[] shape = JSON.convertValue(e.getValue().get("shape"), long[].class);
        assertThat(w.shape(e.getKey())).containsExactly(shape);
        assertThat(values).hasSize((int) Arrays.stream(shape).reduce(1, (a, b) -> a * b));
        JsonNode first = e.getValue().get("first");
        for (int i = 0; i < first.size(); i++) {
          assertThat(values[i]).as(e.getKey() + "[" + i + "]").isEqualTo((float) first.get(i).asDouble());
        }
        assertThat(values[values.length - 1]).isEqualTo((float) e.getValue().get("last").asDouble());
      }
      // Norm weights were drawn near 1, matrices near 0: a mixed-up offset would show.
      float[] norm = w.read("model.norm.weight");
      for (float x : norm) {
        assertThat(x).isBetween(0.5f, 1.5f);
      }
    }
  }

  @Test
  void manySmallMappingsReadTheSameValuesAsOne() throws Exception {
    try (HfWeights whole = HfWeights.open(fixture());
        HfWeights odd = HfWeights.open(fixture(), 1001); // tensors and elements straddle segments
        HfWeights tiny = HfWeights.open(fixture(), 3)) {
      for (String name : whole.names()) {
        float[] expected = whole.read(name);
        assertThat(odd.read(name)).as(name).containsExactly(expected);
        assertThat(tiny.read(name)).as(name).containsExactly(expected);
      }
    }
  }

  @Test
  void sha256OfEachShardIsItsFileDigest() throws Exception {
    try (HfWeights w = HfWeights.open(fixture())) {
      Map<String, String> digests = w.sha256();
      assertThat(digests.keySet()).containsExactly(SHARD1, SHARD2);
      for (String shard : List.of(SHARD1, SHARD2)) {
        byte[] bytes = Files.readAllBytes(fixture().resolve(shard));
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        assertThat(digests.get(shard)).isEqualTo(hex).hasSize(64);
      }
      assertThat(digests.get(SHARD1)).isNotEqualTo(digests.get(SHARD2));
    }
  }

  @Test
  void aSingleFileCheckpointReadsF32F16AndBf16() throws Exception {
    Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
    tensors.put("model.norm.weight",
        SafeTensors.Tensor.ofFloats(new long[] {2, 2}, new float[] {1f, -0.5f, 3e-8f, Float.NaN}));
    tensors.put("half", raw(SafeTensors.DType.F16, new long[] {5}, 0x3c00, 0xc000, 0x0001, 0x7c00, 0x3555));
    tensors.put("brain", raw(SafeTensors.DType.BF16, new long[] {1, 3}, 0x3f80, 0x4049, 0xff80));
    tensors.put("ids", raw(SafeTensors.DType.I16, new long[] {1}, 7));
    Path ckpt = dir.resolve("single");
    SafeTensors.write(ckpt.resolve(HfWeights.SINGLE_FILE), tensors, Map.of("format", "pt"));
    try (HfWeights w = HfWeights.open(ckpt)) {
      assertThat(w.source()).isEqualTo(ckpt.resolve(HfWeights.SINGLE_FILE));
      assertThat(w.names()).containsExactly("model.norm.weight", "half", "brain", "ids");
      assertThat(w.read("model.norm.weight")).containsExactly(1f, -0.5f, 3e-8f, Float.NaN);
      assertThat(w.dtype("half")).isEqualTo("F16");
      assertThat(w.read("half"))
          .containsExactly(1f, -2f, 0x1p-24f, Float.POSITIVE_INFINITY, 0.333251953125f);
      assertThat(w.shape("brain")).containsExactly(1, 3);
      assertThat(w.read("brain")).containsExactly(1f, 3.140625f, Float.NEGATIVE_INFINITY);
      assertThatThrownBy(() -> w.read("ids"))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("'ids'")
          .hasMessageContaining("I16");
      assertThat(w.sha256()).containsOnlyKeys(HfWeights.SINGLE_FILE);
    }
  }

  private static SafeTensors.Tensor raw(SafeTensors.DType dtype, long[] shape, int... halves) {
    ByteBuffer b = ByteBuffer.allocate(halves.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (int h : halves) {
      b.putShort((short) h);
    }
    return new SafeTensors.Tensor(dtype, shape, b.flip());
  }

  @Test
  void aShardTheIndexNamesButTheDirectoryLacksIsNamedWithTheIndex() throws Exception {
    Path ckpt = copy();
    Files.delete(ckpt.resolve(SHARD2));
    assertThatThrownBy(() -> HfWeights.open(ckpt))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(ckpt.resolve(HfWeights.INDEX_FILE).toString())
        .hasMessageContaining("shard '" + SHARD2 + "'")
        .hasMessageContaining("missing");
  }

  @Test
  void aTensorMappedToAShardThatDoesNotHoldItIsNamed() throws Exception {
    Path ckpt = copy();
    editIndex(ckpt, map -> map.put("lm_head.weight", SHARD1));
    assertThatThrownBy(() -> HfWeights.open(ckpt))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("tensor 'lm_head.weight'")
        .hasMessageContaining(ckpt.resolve(SHARD1).toString())
        .hasMessageContaining("does not hold it");
  }

  @Test
  void anIndexPointingOutsideTheDirectoryIsRefused() throws Exception {
    Path ckpt = copy();
    editIndex(ckpt, map -> map.put("lm_head.weight", "../" + SHARD2));
    assertThatThrownBy(() -> HfWeights.open(ckpt))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("'lm_head.weight'")
        .hasMessageContaining("beside the index");
  }

  @Test
  void aTensorOfAnUnsupportedDtypeIsNamedWithItsDtype() throws Exception {
    Path ckpt = copy();
    // I16 has BF16's size, so the header stays valid: only the conversion must refuse it.
    editShardHeader(ckpt.resolve(SHARD2),
        h -> ((ObjectNode) h.get("model.norm.weight")).put("dtype", "I16"));
    try (HfWeights w = HfWeights.open(ckpt)) {
      assertThat(w.dtype("model.norm.weight")).isEqualTo("I16");
      assertThatThrownBy(() -> w.read("model.norm.weight"))
          .isInstanceOf(IOException.class)
          .hasMessageContaining(ckpt.resolve(SHARD2).toString())
          .hasMessageContaining("tensor 'model.norm.weight'")
          .hasMessageContaining("dtype I16");
      assertThat(w.read("lm_head.weight")).hasSize(64 * 32);
    }
  }

  @Test
  void anUnknownDtypeStringIsRefusedOnOpenNamingTheShard() throws Exception {
    Path ckpt = copy();
    editShardHeader(ckpt.resolve(SHARD1),
        h -> ((ObjectNode) h.get("model.embed_tokens.weight")).put("dtype", "F8_E4M3"));
    assertThatThrownBy(() -> HfWeights.open(ckpt))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(ckpt.resolve(SHARD1).toString())
        .hasMessageContaining("'model.embed_tokens.weight'")
        .hasMessageContaining("F8_E4M3");
  }

  @Test
  void aTruncatedOrCorruptedHeaderNamesTheShard() throws Exception {
    Path ckpt = copy();
    Path shard = ckpt.resolve(SHARD1);
    byte[] bytes = Files.readAllBytes(shard);
    Files.write(shard, Arrays.copyOf(bytes, 200)); // cut inside the header
    assertThatThrownBy(() -> HfWeights.open(ckpt))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(shard.toString())
        .hasMessageContaining("truncated");

    Files.write(shard, Arrays.copyOf(bytes, bytes.length - 2)); // cut the last tensor's data
    assertThatThrownBy(() -> HfWeights.open(ckpt))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(shard.toString())
        .hasMessageContaining("run past the end of the data section");

    byte[] corrupted = bytes.clone();
    corrupted[8] = '['; // the header's opening brace
    Files.write(shard, corrupted);
    assertThatThrownBy(() -> HfWeights.open(ckpt))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(shard.toString())
        .hasMessageContaining("malformed JSON header");
  }

  @Test
  void requireShapeNamesTheTensorAndBothShapes() throws Exception {
    try (HfWeights w = HfWeights.open(fixture())) {
      w.requireShape("model.layers.1.mlp.down_proj.weight", 32, 48);
      assertThatThrownBy(() -> w.requireShape("model.layers.1.mlp.down_proj.weight", 48, 32))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("tensor 'model.layers.1.mlp.down_proj.weight'")
          .hasMessageContaining("has shape [32, 48]")
          .hasMessageContaining("expected [48, 32]");
    }
  }

  @Test
  void aMissingTensorIsNamed() throws Exception {
    try (HfWeights w = HfWeights.open(fixture())) {
      for (var call : List.<ThrowingName>of(w::read, w::shape, w::dtype, w::shardOf,
          n -> {
            w.requireShape(n, 1);
            return null;
          })) {
        assertThatThrownBy(() -> call.apply("model.layers.2.mlp.up_proj.weight"))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("no tensor 'model.layers.2.mlp.up_proj.weight'")
            .hasMessageContaining(HfWeights.INDEX_FILE);
      }
    }
  }

  interface ThrowingName {
    Object apply(String name) throws IOException;
  }

  @Test
  void aDirectoryWithoutWeightsIsNamed() throws Exception {
    Path empty = dir.resolve("empty");
    Files.createDirectories(empty);
    assertThatThrownBy(() -> HfWeights.open(empty))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(empty.toString())
        .hasMessageContaining(HfWeights.INDEX_FILE)
        .hasMessageContaining(HfWeights.SINGLE_FILE);
  }

  @Test
  void closeReleasesTheShards() throws Exception {
    HfWeights w = HfWeights.open(fixture());
    assertThat(w.read("model.norm.weight")).hasSize(32);
    w.close();
    w.close(); // idempotent
    assertThat(w.isClosed()).isTrue();
    assertThatThrownBy(() -> w.read("model.norm.weight")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(w::sha256).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theScriptWritesTheSameCheckpointByteForByteOnEveryRun() throws Exception {
    Path again = PythonFixtures.writeTinyLlama(dir.resolve("again"));
    List<String> first;
    try (Stream<Path> files = Files.list(fixture())) {
      first = files.map(f -> f.getFileName().toString()).sorted().toList();
    }
    try (Stream<Path> files = Files.list(again)) {
      assertThat(files.map(f -> f.getFileName().toString()).sorted().toList()).isEqualTo(first);
    }
    for (String f : first) {
      assertThat(Files.readAllBytes(again.resolve(f))).as(f).isEqualTo(Files.readAllBytes(fixture().resolve(f)));
    }
  }

  private static void editIndex(Path ckpt, Consumer<ObjectNode> edit) throws IOException {
    Path index = ckpt.resolve(HfWeights.INDEX_FILE);
    ObjectNode root = (ObjectNode) JSON.readTree(index.toFile());
    edit.accept((ObjectNode) root.get("weight_map"));
    JSON.writeValue(index.toFile(), root);
  }

  // Rewrites a shard's JSON header (re-padded to 8 bytes), keeping its data.
  private static void editShardHeader(Path shard, Consumer<ObjectNode> edit) throws IOException {
    byte[] bytes = Files.readAllBytes(shard);
    long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    ObjectNode header = (ObjectNode) JSON.readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
    edit.accept(header);
    byte[] json = JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8;
    byte[] head = Arrays.copyOf(json, padded);
    Arrays.fill(head, json.length, padded, (byte) ' ');
    ByteBuffer out = ByteBuffer.allocate(8 + padded + bytes.length - 8 - (int) n)
        .order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(padded).put(head).put(bytes, 8 + (int) n, bytes.length - 8 - (int) n);
    Files.write(shard, out.array(), StandardOpenOption.TRUNCATE_EXISTING);
  }
}
