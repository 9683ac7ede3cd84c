package org.aia4j.inference.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {

  @TempDir Path dir;

  @Test
  void roundTripIsBitExactAndKeepsOrderAndMetadata() throws IOException {
    float[] special = {
      0f, -0f, 1.5f, Float.MIN_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY,
      Float.intBitsToFloat(0x7fc12345), 3.1415927f
    };
    float[] big = new float[1000];
    for (int i = 0; i < big.length; i++) {
      big[i] = (float) Math.sin(i * 0.37) * 1e-3f;
    }
    Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
    tensors.put("z.last.first", SafeTensors.Tensor.ofFloats(new long[] {2, 4}, special));
    tensors.put("a.weight", SafeTensors.Tensor.ofFloats(new long[] {10, 100}, big));
    tensors.put("scalar", SafeTensors.Tensor.ofFloats(new long[] {}, new float[] {42f}));
    Path file = dir.resolve("x.safetensors");
    SafeTensors.write(file, tensors, Map.of("note", "hello"));

    SafeTensors.Contents read = SafeTensors.read(file);
    assertThat(read.metadata()).containsExactly(Map.entry("note", "hello"));
    assertThat(read.tensors().keySet()).containsExactly("z.last.first", "a.weight", "scalar");
    assertThat(read.tensors().get("z.last.first").shape()).containsExactly(2, 4);
    assertThat(read.tensors().get("scalar").shape()).isEmpty();
    assertThat(bits(read.tensors().get("z.last.first").toFloats())).isEqualTo(bits(special));
    assertThat(bits(read.tensors().get("a.weight").toFloats())).isEqualTo(bits(big));

    // The layout of the standard: u64 LE header length, a JSON header padded to 8 bytes.
    byte[] bytes = Files.readAllBytes(file);
    long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(n % 8).isZero();
    String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
    assertThat(header)
        .startsWith("{\"__metadata__\":{\"note\":\"hello\"},\"z.last.first\":{\"dtype\":\"F32\",\"shape\":[2,4],\"data_offsets\":[0,32]}");
    assertThat(bytes.length - 8 - n).isEqualTo(4 * (8 + 1000 + 1));
  }

  @Test
  void tooShortForTheHeaderLength() throws IOException {
    Path file = dir.resolve("short.safetensors");
    Files.write(file, new byte[] {1, 2, 3});
    assertThatThrownBy(() -> SafeTensors.read(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("too short for the 8-byte header length");
  }

  @Test
  void headerLengthPastTheEndOfTheFile() throws IOException {
    Path file = raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4], 1000);
    assertThatThrownBy(() -> SafeTensors.read(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("header length 1000 runs past the end of the file");
  }

  @Test
  void truncatedData() throws IOException {
    Path file = dir.resolve("t.safetensors");
    Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
    tensors.put("first", SafeTensors.Tensor.ofFloats(new long[] {3}, new float[3]));
    tensors.put("second", SafeTensors.Tensor.ofFloats(new long[] {2, 2}, new float[4]));
    SafeTensors.write(file, tensors, Map.of());
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 5));
    assertThatThrownBy(() -> SafeTensors.read(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("tensor 'second'")
        .hasMessageContaining("the file is truncated");
  }

  @Test
  void offsetsOutOfRange() throws IOException {
    Path file = raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[8], -1);
    assertThatThrownBy(() -> SafeTensors.read(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("tensor 'a' data_offsets [4, 12) run past the end of the data section (8 bytes)");
  }

  @Test
  void overlappingTensors() throws IOException {
    Path file =
        raw(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
            new byte[12],
            -1);
    assertThatThrownBy(() -> SafeTensors.read(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("tensors 'a' [0, 8) and 'b' [4, 12) overlap");
  }

  @Test
  void gapsAndTrailingBytes() throws IOException {
    Path gap = raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8], -1);
    assertThatThrownBy(() -> SafeTensors.read(gap))
        .hasMessageContaining("4 bytes of the data section before tensor 'a' belong to no tensor");
    Path trailing = raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[7], -1);
    assertThatThrownBy(() -> SafeTensors.read(trailing))
        .hasMessageContaining("3 bytes after the last tensor belong to no tensor");
  }

  @Test
  void unknownDtype() throws IOException {
    Path file = raw("{\"w\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4], -1);
    assertThatThrownBy(() -> SafeTensors.read(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("tensor 'w': unknown dtype 'F33'");
  }

  @Test
  void offsetsThatDisagreeWithTheShape() throws IOException {
    Path file = raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8], -1);
    assertThatThrownBy(() -> SafeTensors.read(file))
        .hasMessageContaining("tensor 'w': data_offsets [0, 8) hold 8 bytes, but shape [3] of F32 needs 12");
  }

  @Test
  void malformedHeaderAndMetadata() throws IOException {
    Path json = raw("{\"w\":", new byte[0], -1);
    assertThatThrownBy(() -> SafeTensors.read(json)).hasMessageContaining("malformed JSON header");
    Path dup =
        raw(
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}",
            new byte[0],
            -1);
    assertThatThrownBy(() -> SafeTensors.read(dup)).hasMessageContaining("Duplicate field 'w'");
    Path meta = raw("{\"__metadata__\":{\"n\":3}}", new byte[0], -1);
    assertThatThrownBy(() -> SafeTensors.read(meta))
        .hasMessageContaining("__metadata__ value of 'n' must be a string");
    Path shape = raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,0]}}", new byte[0], -1);
    assertThatThrownBy(() -> SafeTensors.read(shape))
        .hasMessageContaining("tensor 'w': shape must hold non-negative integers");
  }

  /** A file from a raw header and data; {@code declaredLength < 0} declares the true length. */
  private Path raw(String header, byte[] data, long declaredLength) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer buffer = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    buffer.putLong(declaredLength < 0 ? h.length : declaredLength).put(h).put(data);
    Path file = Files.createTempFile(dir, "raw", ".safetensors");
    Files.write(file, buffer.array());
    return file;
  }

  private static int[] bits(float[] values) {
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Float.floatToRawIntBits(values[i]);
    }
    return out;
  }
}
