package org.aia4j.inference.hf;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.aia4j.api.checkpoint.Manifest;
import org.aia4j.inference.io.SafeTensors;

/**
 * The weights of a Hugging Face checkpoint directory: either one {@value #SINGLE_FILE} or shards
 * listed by {@value #INDEX_FILE} (its {@code weight_map} maps each tensor name to a shard file).
 *
 * <p>Each shard's header is validated with the same strictness as {@link SafeTensors#read} (via
 * {@link SafeTensors#readHeader}), and its data is memory-mapped read-only rather than read into a
 * Java array: real checkpoints have shards of several GiB, beyond one array or one mapping, so a
 * shard is mapped as several segments of at most 1 GiB and tensors are decoded across segment
 * boundaries. Values are converted to float32 on {@link #read} from F32, F16 or BF16.
 *
 * <p>Every problem with the checkpoint is an {@link IOException} naming the file (the index, the
 * shard, or the directory) and the tensor. {@link #close} closes the channels and drops the
 * mappings (the JVM unmaps them once unreachable; Java 17 has no supported way to unmap at once);
 * the object is unusable afterwards.
 */
public final class HfWeights implements Closeable {

  /** The file name of an unsharded checkpoint's weights. */
  public static final String SINGLE_FILE = "model.safetensors";

  /** The file name of a sharded checkpoint's index. */
  public static final String INDEX_FILE = "model.safetensors.index.json";

  /** The dtypes {@link #read} converts to float32. */
  public static final Set<SafeTensors.DType> READABLE_DTYPES =
      Set.of(SafeTensors.DType.F32, SafeTensors.DType.F16, SafeTensors.DType.BF16);

  // 1 GiB: well under the 2 GiB a MappedByteBuffer can address.
  static final long DEFAULT_SEGMENT_BYTES = 1L << 30;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  // Bytes decoded per step, so a tensor crossing segments needs no special path.
  private static final int CHUNK_BYTES = 1 << 16;

  private final Path directory;
  private final Path source;
  private final Map<String, Shard> shards;
  private final Map<String, Location> tensors;
  private boolean closed;

  private HfWeights(
      Path directory, Path source, Map<String, Shard> shards, Map<String, Location> tensors) {
    this.directory = directory;
    this.source = source;
    this.shards = shards;
    this.tensors = tensors;
  }

  private static final class Shard {
    final Path file;
    final FileChannel channel;
    final long segmentBytes;
    MappedByteBuffer[] segments;

    Shard(Path file, FileChannel channel, long segmentBytes, MappedByteBuffer[] segments) {
      this.file = file;
      this.channel = channel;
      this.segmentBytes = segmentBytes;
      this.segments = segments;
    }

    // Copies len bytes from absolute file position pos, across segment boundaries.
    void copy(long pos, byte[] into, int len) {
      int done = 0;
      while (done < len) {
        long at = pos + done;
        int index = (int) (at / segmentBytes);
        int offset = (int) (at % segmentBytes);
        // Validated headers keep every tensor inside the file; fail fast (never spin) if not.
        if (index >= segments.length || offset >= segments[index].limit()) {
          throw new IndexOutOfBoundsException(file + ": byte " + at + " is past the end of the file");
        }
        ByteBuffer segment = segments[index].duplicate();
        int n = Math.min(len - done, segment.limit() - offset);
        segment.position(offset);
        segment.get(into, done, n);
        done += n;
      }
    }
  }

  private record Location(Shard shard, SafeTensors.Entry entry, long dataStart) {}

  /**
   * Opens a checkpoint directory: uses {@value #INDEX_FILE} when present, else
   * {@value #SINGLE_FILE}.
   *
   * @param directory the checkpoint directory
   * @return the opened weights; close them when done
   * @throws IOException if neither file exists, the index is malformed, a shard it names is
   *     missing, a shard's header is invalid, or a shard lacks a tensor the index maps to it
   */
  public static HfWeights open(Path directory) throws IOException {
    return open(directory, DEFAULT_SEGMENT_BYTES);
  }

  // segmentBytes is a parameter so tests can split their small shards into many mappings.
  static HfWeights open(Path directory, long segmentBytes) throws IOException {
    if (segmentBytes <= 0 || segmentBytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("segmentBytes " + segmentBytes);
    }
    Path index = directory.resolve(INDEX_FILE);
    Path single = directory.resolve(SINGLE_FILE);
    Map<String, String> weightMap;
    Path source;
    if (Files.isRegularFile(index)) {
      weightMap = readIndex(index);
      source = index;
    } else if (Files.isRegularFile(single)) {
      weightMap = null;
      source = single;
    } else {
      throw new IOException(directory + ": not a Hugging Face checkpoint directory: neither "
          + INDEX_FILE + " nor " + SINGLE_FILE + " found");
    }

    Map<String, Shard> shards = new TreeMap<>();
    Map<String, Location> tensors = new LinkedHashMap<>();
    try {
      if (weightMap == null) {
        Shard shard = openShard(single, segmentBytes);
        shards.put(SINGLE_FILE, shard);
        SafeTensors.Header header = SafeTensors.readHeader(single);
        for (SafeTensors.Entry e : header.tensors()) {
          tensors.put(e.name(), new Location(shard, e, header.dataStart()));
        }
      } else {
        // Open each shard once, in name order, and index its header.
        Map<String, Map<String, SafeTensors.Entry>> entries = new TreeMap<>();
        Map<String, Long> dataStarts = new TreeMap<>();
        for (Map.Entry<String, String> m : weightMap.entrySet()) {
          String name = m.getValue();
          if (shards.containsKey(name)) {
            continue;
          }
          Path file = directory.resolve(name);
          if (!Files.isRegularFile(file)) {
            throw new IOException(index + ": shard '" + name + "' (holding tensor '" + m.getKey()
                + "') is missing from " + directory);
          }
          SafeTensors.Header header = SafeTensors.readHeader(file);
          shards.put(name, openShard(file, segmentBytes));
          Map<String, SafeTensors.Entry> byName = new LinkedHashMap<>();
          for (SafeTensors.Entry e : header.tensors()) {
            byName.put(e.name(), e);
          }
          entries.put(name, byName);
          dataStarts.put(name, header.dataStart());
        }
        for (Map.Entry<String, String> m : weightMap.entrySet()) {
          SafeTensors.Entry e = entries.get(m.getValue()).get(m.getKey());
          if (e == null) {
            throw new IOException(index + ": tensor '" + m.getKey() + "' is mapped to shard "
                + directory.resolve(m.getValue()) + ", which does not hold it");
          }
          tensors.put(m.getKey(), new Location(shards.get(m.getValue()), e,
              dataStarts.get(m.getValue())));
        }
      }
    } catch (IOException | RuntimeException e) {
      for (Shard s : shards.values()) {
        try {
          s.channel.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
    return new HfWeights(directory, source, Collections.unmodifiableMap(shards),
        Collections.unmodifiableMap(tensors));
  }

  private static Map<String, String> readIndex(Path index) throws IOException {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readAllBytes(index));
    } catch (JsonProcessingException e) {
      throw new IOException(index + ": malformed JSON: " + e.getOriginalMessage(), e);
    }
    JsonNode map = root == null ? null : root.get("weight_map");
    if (map == null || !map.isObject() || map.isEmpty()) {
      throw new IOException(index + ": must hold a non-empty weight_map object");
    }
    Map<String, String> weightMap = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String shard = e.getValue().isTextual() ? e.getValue().asText() : null;
      // A shard is a file beside the index: refuse paths, which could point anywhere.
      if (shard == null || shard.isEmpty() || shard.contains("/") || shard.contains("\\")
          || shard.equals(".") || shard.equals("..")) {
        throw new IOException(index + ": tensor '" + e.getKey()
            + "' must map to a shard file name beside the index, got " + e.getValue());
      }
      weightMap.put(e.getKey(), shard);
    }
    return weightMap;
  }

  private static Shard openShard(Path file, long segmentBytes) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
    try {
      long size = channel.size();
      int count = (int) Math.max(1, (size + segmentBytes - 1) / segmentBytes);
      MappedByteBuffer[] segments = new MappedByteBuffer[count];
      for (int i = 0; i < count; i++) {
        long begin = i * segmentBytes;
        segments[i] = channel.map(FileChannel.MapMode.READ_ONLY, begin,
            Math.min(segmentBytes, size - begin));
      }
      return new Shard(file, channel, segmentBytes, segments);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** @return the checkpoint directory */
  public Path directory() {
    return directory;
  }

  /** @return the index file, or the single weights file when unsharded */
  public Path source() {
    return source;
  }

  /** @return the tensor names, in the index's (or the single file's data) order */
  public Set<String> names() {
    return tensors.keySet();
  }

  /** @return the shard files, by file name, in name order */
  public List<Path> shardFiles() {
    List<Path> files = new ArrayList<>();
    for (Shard s : shards.values()) {
      files.add(s.file);
    }
    return files;
  }

  /**
   * @param name a tensor name
   * @return the shard file holding it
   * @throws IOException if there is no such tensor
   */
  public Path shardOf(String name) throws IOException {
    return locate(name).shard.file;
  }

  /**
   * @param name a tensor name
   * @return a copy of its shape
   * @throws IOException if there is no such tensor
   */
  public long[] shape(String name) throws IOException {
    return locate(name).entry.shape().clone();
  }

  /**
   * @param name a tensor name
   * @return its dtype as spelled in the file ({@code "BF16"}, ...)
   * @throws IOException if there is no such tensor
   */
  public String dtype(String name) throws IOException {
    return locate(name).entry.dtype().name();
  }

  /**
   * Checks a tensor's shape, as a model does before using it.
   *
   * @param name a tensor name
   * @param expected the shape the model needs
   * @throws IOException naming the tensor and both shapes when they differ, or if it is missing
   */
  public void requireShape(String name, long... expected) throws IOException {
    long[] actual = locate(name).entry.shape();
    if (!Arrays.equals(actual, expected)) {
      throw new IOException(locate(name).shard.file + ": tensor '" + name + "' has shape "
          + Arrays.toString(actual) + ", expected " + Arrays.toString(expected));
    }
  }

  /**
   * Reads a tensor as float32, row-major.
   *
   * @param name a tensor name
   * @return its values; F32 bit for bit, F16 and BF16 converted exactly
   * @throws IOException if it is missing, of another dtype, or has more than 2^31-1 elements
   */
  public float[] read(String name) throws IOException {
    Location at = locate(name);
    SafeTensors.DType dtype = at.entry.dtype();
    if (!READABLE_DTYPES.contains(dtype)) {
      throw new IOException(at.shard.file + ": tensor '" + name + "' has dtype " + dtype
          + ", which cannot be read as floats (readable: F32, F16, BF16)");
    }
    long bytes = at.entry.end() - at.entry.begin();
    long count = bytes / dtype.bytes();
    if (count > Integer.MAX_VALUE - 8) {
      throw new IOException(at.shard.file + ": tensor '" + name + "' has " + count
          + " elements, more than one Java array holds");
    }
    float[] values = new float[(int) count];
    byte[] chunk = new byte[(int) Math.min(CHUNK_BYTES, bytes)];
    ByteBuffer view = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
    long start = at.dataStart + at.entry.begin();
    int next = 0;
    // CHUNK_BYTES is a multiple of 4, so a chunk always ends on an element boundary.
    for (long done = 0; done < bytes; ) {
      int n = (int) Math.min(chunk.length, bytes - done);
      at.shard.copy(start + done, chunk, n);
      switch (dtype) {
        case F32 -> {
          for (int i = 0; i < n; i += 4) {
            values[next++] = view.getFloat(i);
          }
        }
        case F16 -> {
          for (int i = 0; i < n; i += 2) {
            values[next++] = Half.f16ToFloat(view.getShort(i) & 0xffff);
          }
        }
        default -> {
          for (int i = 0; i < n; i += 2) {
            values[next++] = Half.bf16ToFloat(view.getShort(i) & 0xffff);
          }
        }
      }
      done += n;
    }
    return values;
  }

  /**
   * The SHA-256 of each shard file, streamed from disk (not from the mappings), for provenance.
   *
   * @return lower-case hex digests by shard file name, in name order
   * @throws IOException if a shard cannot be read
   */
  public Map<String, String> sha256() throws IOException {
    checkOpen();
    Map<String, String> digests = new LinkedHashMap<>();
    for (Map.Entry<String, Shard> e : shards.entrySet()) {
      digests.put(e.getKey(), Manifest.sha256(e.getValue().file));
    }
    return digests;
  }

  /** Closes the shards' channels and drops their mappings. Idempotent. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    IOException failure = null;
    for (Shard s : shards.values()) {
      s.segments = null;
      try {
        s.channel.close();
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** @return whether {@link #close} has been called */
  public boolean isClosed() {
    return closed;
  }

  private Location locate(String name) throws IOException {
    checkOpen();
    Location at = tensors.get(name);
    if (at == null) {
      throw new IOException(source + ": no tensor '" + name + "' in the checkpoint ("
          + tensors.size() + " tensors)");
    }
    return at;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("HfWeights of " + directory + " is closed");
    }
  }
}
