package org.aia4j.inference.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads and writes the safetensors format, the ecosystem's standard for parameters (it runs no
 * code on load):
 *
 * <pre>
 *   8 bytes     N, unsigned little-endian: the header's length
 *   N bytes     UTF-8 JSON: {"__metadata__": {str: str}, name: {"dtype": "F32", "shape": [..],
 *               "data_offsets": [begin, end]}, ...}, padded with spaces to a multiple of 8
 *   the rest    the tensors' bytes, little-endian, row-major; offsets are relative to here
 * </pre>
 *
 * Reading is strict, as the reference implementation: every problem is an {@link IOException}
 * naming the file and, where there is one, the tensor. The tensors must tile the data section
 * exactly (no gap, no overlap, nothing after the last one). Files are read whole (at most 2 GiB).
 * Independent of DJL, so other modules can reuse it.
 */
public final class SafeTensors {

  /** The name of the optional string-to-string metadata entry of the header. */
  public static final String METADATA_KEY = "__metadata__";

  /** Largest header accepted, as the reference implementation. */
  static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private SafeTensors() {}

  /** The element types of the format, with their sizes in bytes. */
  public enum DType {
    BOOL(1),
    U8(1),
    I8(1),
    I16(2),
    U16(2),
    F16(2),
    BF16(2),
    I32(4),
    U32(4),
    F32(4),
    F64(8),
    I64(8),
    U64(8);

    private final int bytes;

    DType(int bytes) {
      this.bytes = bytes;
    }

    /** @return the size of one element in bytes */
    public int bytes() {
      return bytes;
    }
  }

  /**
   * One tensor: its type, shape and little-endian bytes.
   *
   * @param dtype the element type
   * @param shape the dimensions, each {@code >= 0}; empty for a scalar
   * @param data exactly {@code product(shape) * dtype.bytes()} bytes, little-endian
   */
  public record Tensor(DType dtype, long[] shape, ByteBuffer data) {

    // Checks that the data holds exactly the shape's elements.
    public Tensor {
      Objects.requireNonNull(dtype, "dtype");
      shape = shape.clone();
      long expected = elements(shape) * dtype.bytes();
      if (data.remaining() != expected) {
        throw new IllegalArgumentException(
            "A " + dtype + " tensor of shape " + Arrays.toString(shape) + " needs " + expected
                + " bytes, got " + data.remaining());
      }
      data = data.slice().order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @param shape the dimensions
     * @param values row-major values
     * @return an F32 tensor holding a copy of the values (bit for bit)
     */
    public static Tensor ofFloats(long[] shape, float[] values) {
      ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      buffer.asFloatBuffer().put(values);
      return new Tensor(DType.F32, shape, buffer);
    }

    /** @return the number of elements */
    public long size() {
      return elements(shape);
    }

    /** @return a copy of the shape */
    @Override
    public long[] shape() {
      return shape.clone();
    }

    /**
     * @return the values of an F32 tensor, bit for bit
     * @throws IllegalStateException for another dtype
     */
    public float[] toFloats() {
      if (dtype != DType.F32) {
        throw new IllegalStateException("Tensor is " + dtype + ", not F32");
      }
      float[] values = new float[Math.toIntExact(size())];
      data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
      return values;
    }
  }

  /**
   * What a file holds.
   *
   * @param metadata the {@code __metadata__} entry, empty when absent
   * @param tensors the tensors by name, in the order of their data
   */
  public record Contents(Map<String, String> metadata, Map<String, Tensor> tensors) {}

  /**
   * Writes tensors, in the map's order, atomically (to a temporary file, then renamed).
   *
   * @param file the file to write
   * @param tensors the tensors by name; names must not be {@value #METADATA_KEY}
   * @param metadata free-form strings stored as {@value #METADATA_KEY}; may be empty
   * @throws IOException if the file cannot be written
   */
  public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata)
      throws IOException {
    Map<String, DType> dtypes = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    Map<String, Long> sizes = new LinkedHashMap<>();
    tensors.forEach((name, t) -> {
      dtypes.put(name, t.dtype());
      shapes.put(name, t.shape);
      sizes.put(name, (long) t.data().remaining());
    });
    byte[] headerBytes = headerBytes(metadata, dtypes, shapes, sizes);
    int padded = headerBytes.length;
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        length.putLong(padded);
        out.write(length.array());
        out.write(headerBytes);
        byte[] chunk = new byte[1 << 16];
        for (Tensor t : tensors.values()) {
          ByteBuffer data = t.data().duplicate();
          while (data.hasRemaining()) {
            int n = Math.min(chunk.length, data.remaining());
            data.get(chunk, 0, n);
            out.write(chunk, 0, n);
          }
        }
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The JSON header, padded with spaces to a multiple of 8, of tensors laid out in the maps' order. */
  private static byte[] headerBytes(Map<String, String> metadata, Map<String, DType> dtypes, Map<String, long[]> shapes,
      Map<String, Long> sizes) throws IOException {
    ObjectNode header = JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = header.putObject(METADATA_KEY);
      metadata.forEach(meta::put);
    }
    long offset = 0;
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      if (e.getKey().equals(METADATA_KEY)) {
        throw new IllegalArgumentException("A tensor must not be named " + METADATA_KEY);
      }
      ObjectNode entry = header.putObject(e.getKey());
      entry.put("dtype", dtypes.get(e.getKey()).name());
      ArrayNode shape = entry.putArray("shape");
      for (long d : e.getValue()) {
        shape.add(d);
      }
      long end = offset + sizes.get(e.getKey());
      entry.putArray("data_offsets").add(offset).add(end);
      offset = end;
    }
    byte[] json = JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8;
    byte[] headerBytes = Arrays.copyOf(json, padded);
    Arrays.fill(headerBytes, json.length, padded, (byte) ' ');
    return headerBytes;
  }

  /** Gives one tensor's float32 values when {@link #writeFloats} reaches it. */
  @FunctionalInterface
  public interface FloatSource {
    /**
     * @param name the tensor's name
     * @return its values, row-major, as many as its shape holds
     * @throws IOException if they cannot be read or are refused; the file is then not written
     */
    float[] read(String name) throws IOException;
  }

  /**
   * Writes F32 tensors one at a time, in {@code shapes}' order, asking {@code source} for each
   * only when it is written: at most one tensor's values are in memory, so a model larger than
   * the heap can be converted. Atomic as {@link #write}: a failure leaves no file.
   *
   * @throws IOException if {@code source} fails, gives the wrong number of values, or the file
   *     cannot be written
   */
  public static void writeFloats(Path file, Map<String, long[]> shapes, Map<String, String> metadata,
      FloatSource source) throws IOException {
    Map<String, DType> dtypes = new LinkedHashMap<>();
    Map<String, Long> sizes = new LinkedHashMap<>();
    shapes.forEach((name, shape) -> {
      dtypes.put(name, DType.F32);
      sizes.put(name, 4 * Arrays.stream(shape).reduce(1, (a, b) -> a * b));
    });
    byte[] headerBytes = headerBytes(metadata, dtypes, shapes, sizes);
    int padded = headerBytes.length;
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        length.putLong(padded);
        out.write(length.array());
        out.write(headerBytes);
        ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
          float[] values = source.read(e.getKey());
          long count = Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b);
          if (values.length != count) {
            throw new IOException(e.getKey() + ": " + values.length + " values for shape "
                + Arrays.toString(e.getValue()));
          }
          for (float v : values) {
            if (!chunk.hasRemaining()) {
              out.write(chunk.array(), 0, chunk.position());
              chunk.clear();
            }
            chunk.putFloat(v);
          }
        }
        out.write(chunk.array(), 0, chunk.position());
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Reads and validates a whole file.
   *
   * @param file the file
   * @return its metadata and tensors
   * @throws IOException if it cannot be read or is not a valid safetensors file; the message
   *     names the file and the offending tensor
   */
  public static Contents read(Path file) throws IOException {
    long size = Files.size(file);
    if (size < 8) {
      throw new IOException(file + ": truncated safetensors file: " + size
          + " bytes, too short for the 8-byte header length");
    }
    if (size > Integer.MAX_VALUE - 8) {
      throw new IOException(file + ": " + size + " bytes, larger than the 2 GiB this reader supports");
    }
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer all = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long headerLength = all.getLong(0);
    if (headerLength < 0 || headerLength > size - 8) {
      throw new IOException(file + ": header length " + Long.toUnsignedString(headerLength)
          + " runs past the end of the file (" + size + " bytes): truncated or not a safetensors file");
    }
    if (headerLength > MAX_HEADER_BYTES) {
      throw new IOException(file + ": header length " + headerLength + " exceeds the limit of "
          + MAX_HEADER_BYTES + " bytes");
    }
    int dataStart = 8 + (int) headerLength;
    Header parsed = parseHeader(file, size, headerLength, bytes, 8);
    Map<String, String> metadata = parsed.metadata();
    List<Entry> byOffset = parsed.tensors();

    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (Entry e : byOffset) {
      ByteBuffer data = all.duplicate();
      data.position(dataStart + (int) e.begin).limit(dataStart + (int) e.end);
      tensors.put(e.name, new Tensor(e.dtype, e.shape, data.slice()));
    }
    return new Contents(metadata, Collections.unmodifiableMap(tensors));
  }

  /**
   * One tensor's header entry.
   *
   * @param name the tensor's name
   * @param dtype its element type
   * @param shape its dimensions (do not modify)
   * @param begin the first byte of its data, relative to the data section
   * @param end one past its last byte, relative to the data section
   */
  public record Entry(String name, DType dtype, long[] shape, long begin, long end) {}

  /**
   * A validated header.
   *
   * @param metadata the {@code __metadata__} entry, empty when absent (unmodifiable)
   * @param tensors the entries sorted by offset; they tile the data section exactly
   * @param dataStart the file offset of the data section ({@code 8 + header length})
   */
  public record Header(Map<String, String> metadata, List<Entry> tensors, long dataStart) {}

  /**
   * Reads and validates only the header of a file, with the same strictness as {@link #read}, so
   * that callers can memory-map the data themselves (files of any size).
   *
   * @param file the file
   * @return its validated header
   * @throws IOException if it cannot be read or its header is invalid; the message names the file
   */
  public static Header readHeader(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < 8) {
        throw new IOException(file + ": truncated safetensors file: " + size
            + " bytes, too short for the 8-byte header length");
      }
      ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, lengthBytes, 0);
      long headerLength = lengthBytes.getLong(0);
      if (headerLength < 0 || headerLength > size - 8) {
        throw new IOException(file + ": header length " + Long.toUnsignedString(headerLength)
            + " runs past the end of the file (" + size
            + " bytes): truncated or not a safetensors file");
      }
      if (headerLength > MAX_HEADER_BYTES) {
        throw new IOException(file + ": header length " + headerLength + " exceeds the limit of "
            + MAX_HEADER_BYTES + " bytes");
      }
      ByteBuffer json = ByteBuffer.allocate((int) headerLength);
      readFully(channel, json, 8);
      return parseHeader(file, size, headerLength, json.array(), 0);
    }
  }

  private static void readFully(FileChannel channel, ByteBuffer into, long position)
      throws IOException {
    while (into.hasRemaining()) {
      int n = channel.read(into, position + into.position());
      if (n < 0) {
        throw new IOException("Unexpected end of file");
      }
    }
  }

  // The validation shared by read and readHeader: the header length is already checked against
  // the file's size and the limit.
  private static Header parseHeader(
      Path file, long size, long headerLength, byte[] bytes, int offset) throws IOException {
    long dataStart = 8 + headerLength;
    long dataLength = size - dataStart;
    JsonNode header;
    try {
      header = JSON.readTree(new String(bytes, offset, (int) headerLength, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw new IOException(file + ": malformed JSON header: " + e.getOriginalMessage(), e);
    }
    if (header == null || !header.isObject()) {
      throw new IOException(file + ": the header must be a JSON object");
    }

    Map<String, String> metadata = new LinkedHashMap<>();
    List<Entry> entries = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String name = field.getKey();
      JsonNode node = field.getValue();
      if (name.equals(METADATA_KEY)) {
        readMetadata(file, node, metadata);
      } else {
        entries.add(readEntry(file, name, node));
      }
    }

    // The tensors must tile [0, dataLength) exactly.
    List<Entry> byOffset = new ArrayList<>(entries);
    byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    long expectedBegin = 0;
    Entry previous = null;
    for (Entry e : byOffset) {
      if (e.end > dataLength) {
        throw new IOException(file + ": tensor '" + e.name + "' data_offsets [" + e.begin + ", "
            + e.end + ") run past the end of the data section (" + dataLength
            + " bytes): the file is truncated");
      }
      if (e.begin < expectedBegin) {
        throw new IOException(file + ": tensors '" + previous.name + "' [" + previous.begin + ", "
            + previous.end + ") and '" + e.name + "' [" + e.begin + ", " + e.end + ") overlap");
      }
      if (e.begin > expectedBegin) {
        throw new IOException(file + ": " + (e.begin - expectedBegin)
            + " bytes of the data section before tensor '" + e.name + "' belong to no tensor");
      }
      expectedBegin = e.end;
      previous = e;
    }
    if (expectedBegin != dataLength) {
      throw new IOException(file + ": " + (dataLength - expectedBegin)
          + " bytes after the last tensor belong to no tensor");
    }

    return new Header(Collections.unmodifiableMap(metadata), List.copyOf(byOffset), dataStart);
  }

  private static void readMetadata(Path file, JsonNode node, Map<String, String> into)
      throws IOException {
    if (!node.isObject()) {
      throw new IOException(file + ": " + METADATA_KEY + " must be an object of strings");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> m = it.next();
      if (!m.getValue().isTextual()) {
        throw new IOException(file + ": " + METADATA_KEY + " value of '" + m.getKey()
            + "' must be a string, got " + m.getValue().getNodeType());
      }
      into.put(m.getKey(), m.getValue().asText());
    }
  }

  private static Entry readEntry(Path file, String name, JsonNode node) throws IOException {
    String where = file + ": tensor '" + name + "'";
    if (!node.isObject()) {
      throw new IOException(where + ": expected an object with dtype, shape and data_offsets");
    }
    JsonNode dtypeNode = node.get("dtype");
    if (dtypeNode == null || !dtypeNode.isTextual()) {
      throw new IOException(where + ": missing or non-string dtype");
    }
    DType dtype;
    try {
      dtype = DType.valueOf(dtypeNode.asText());
    } catch (IllegalArgumentException e) {
      throw new IOException(where + ": unknown dtype '" + dtypeNode.asText() + "' (known: "
          + Arrays.toString(DType.values()) + ")", e);
    }
    long[] shape = longs(where, "shape", node.get("shape"), -1);
    long[] offsets = longs(where, "data_offsets", node.get("data_offsets"), 2);
    if (offsets[1] < offsets[0]) {
      throw new IOException(where + ": data_offsets [" + offsets[0] + ", " + offsets[1]
          + ") end before they begin");
    }
    long needed;
    try {
      needed = Math.multiplyExact(elements(shape), (long) dtype.bytes());
    } catch (ArithmeticException e) {
      throw new IOException(where + ": shape " + Arrays.toString(shape) + " is too large", e);
    }
    if (offsets[1] - offsets[0] != needed) {
      throw new IOException(where + ": data_offsets [" + offsets[0] + ", " + offsets[1] + ") hold "
          + (offsets[1] - offsets[0]) + " bytes, but shape " + Arrays.toString(shape) + " of "
          + dtype + " needs " + needed);
    }
    return new Entry(name, dtype, shape, offsets[0], offsets[1]);
  }

  private static long[] longs(String where, String field, JsonNode node, int length)
      throws IOException {
    if (node == null || !node.isArray() || (length >= 0 && node.size() != length)) {
      throw new IOException(where + ": " + field + " must be an array"
          + (length >= 0 ? " of " + length + " integers" : " of integers"));
    }
    long[] values = new long[node.size()];
    for (int i = 0; i < values.length; i++) {
      JsonNode v = node.get(i);
      if (!v.canConvertToExactIntegral() || !v.canConvertToLong() || v.asLong() < 0) {
        throw new IOException(where + ": " + field + " must hold non-negative integers, got " + node);
      }
      values[i] = v.asLong();
    }
    return values;
  }

  private static long elements(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("Negative dimension in " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, d);
    }
    return n;
  }
}
