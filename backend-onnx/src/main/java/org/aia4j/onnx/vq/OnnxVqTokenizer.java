package org.aia4j.onnx.vq;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.aia4j.api.tokenizer.ImageTokenizer;

/**
 * An image tokenizer made of two ONNX graphs, as a real unified model's VQ-VAE exports to (Emu3's
 * {@code Emu3VisionVQModel}, Chameleon's VQ-GAN through {@code torch.onnx.export}), run on ONNX
 * Runtime. A directory holds:
 *
 * <pre>
 *   vq.json           {"kind": "onnx-vq", "version": 1, "image_size": S, "grid": [h, w],
 *                      "codebook_size": C, "used_codes": U (optional), "pixel_range": [lo, hi]}
 *   vq_encoder.onnx   one float32 input (1, 3, S, S), RGB planes scaled from 0..255 to lo..hi
 *                     -> one int64 output (1, h, w): the codes in raster order
 *   vq_decoder.onnx   one int64 input (1, h, w) -> one float32 output (1, 3, S, S) in lo..hi
 * </pre>
 *
 * Loading checks both graphs' inputs and outputs against {@code vq.json} (a dimension may be
 * dynamic, {@code -1}; a fixed one must match) and names the graph, the tensor and both shapes
 * when they differ. Codes a graph emits outside the codebook are refused, not passed on.
 */
public final class OnnxVqTokenizer implements ImageTokenizer, AutoCloseable {
  /** The provider name and {@code kind} of {@code vq.json}. */
  public static final String KIND = "onnx-vq";
  /** The {@code vq.json} version this code reads and writes. */
  public static final int VERSION = 1;
  public static final String CONFIG = "vq.json";
  public static final String ENCODER = "vq_encoder.onnx";
  public static final String DECODER = "vq_decoder.onnx";
  private static final List<String> FILES = List.of(CONFIG, ENCODER, DECODER);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path source;
  private final int imageSize;
  private final int height;
  private final int width;
  private final int codebookSize;
  private final int usedCodes;
  private final float low;
  private final float high;
  private final OrtEnvironment env;
  private final OrtSession encoder;
  private final OrtSession decoder;

  private OnnxVqTokenizer(Path source, JsonNode config, OrtEnvironment env, OrtSession encoder, OrtSession decoder)
      throws IOException {
    this.source = source;
    Path file = source.resolve(CONFIG);
    this.imageSize = positive(config, "image_size", file);
    JsonNode grid = config.path("grid");
    if (!grid.isArray() || grid.size() != 2 || !grid.get(0).canConvertToInt() || !grid.get(1).canConvertToInt()
        || grid.get(0).asInt() < 1 || grid.get(1).asInt() < 1) {
      throw new IOException(file + ": grid must be [height, width] of positive integers, got " + grid);
    }
    this.height = grid.get(0).asInt();
    this.width = grid.get(1).asInt();
    this.codebookSize = positive(config, "codebook_size", file);
    this.usedCodes = config.has("used_codes") ? positive(config, "used_codes", file) : codebookSize;
    if (usedCodes > codebookSize) {
      throw new IOException(file + ": used_codes " + usedCodes + " is more than codebook_size " + codebookSize);
    }
    JsonNode range = config.path("pixel_range");
    if (!range.isArray() || range.size() != 2 || !range.get(0).isNumber() || !range.get(1).isNumber()
        || range.get(0).asDouble() >= range.get(1).asDouble()) {
      throw new IOException(file + ": pixel_range must be [low, high] with low < high (e.g. [-1, 1]), got " + range);
    }
    this.low = (float) range.get(0).asDouble();
    this.high = (float) range.get(1).asDouble();
    this.env = env;
    this.encoder = encoder;
    this.decoder = decoder;
    check(encoder, ENCODER, true, new long[] {1, 3, imageSize, imageSize}, TensorInfo.OnnxTensorType
        .ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, "input");
    check(encoder, ENCODER, false, new long[] {1, height, width}, TensorInfo.OnnxTensorType
        .ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64, "output");
    check(decoder, DECODER, true, new long[] {1, height, width}, TensorInfo.OnnxTensorType
        .ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64, "input");
    check(decoder, DECODER, false, new long[] {1, 3, imageSize, imageSize}, TensorInfo.OnnxTensorType
        .ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, "output");
  }

  /**
   * Opens the tokenizer in {@code dir}.
   *
   * @throws IOException naming the missing file, the invalid field, or the graph and tensor whose
   *     shape or type does not match {@code vq.json}
   */
  public static OnnxVqTokenizer load(Path dir) throws IOException {
    for (String name : FILES) {
      if (!Files.isRegularFile(dir.resolve(name))) {
        throw new NoSuchFileException(dir.resolve(name).toString(), null, "an onnx-vq image tokenizer needs "
            + String.join(", ", FILES));
      }
    }
    JsonNode config;
    try {
      config = JSON.readTree(dir.resolve(CONFIG).toFile());
    } catch (IOException e) {
      throw new IOException(dir.resolve(CONFIG) + ": not valid JSON: " + e.getMessage(), e);
    }
    if (config == null || !KIND.equals(config.path("kind").asText()) || config.path("version").asInt() != VERSION) {
      throw new IOException(dir.resolve(CONFIG) + ": expected kind \"" + KIND + "\", version " + VERSION + "; got "
          + (config == null ? "nothing" : config.path("kind") + ", " + config.path("version")));
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession encoder = open(env, dir.resolve(ENCODER));
    OrtSession decoder = null;
    try {
      decoder = open(env, dir.resolve(DECODER));
      return new OnnxVqTokenizer(dir, config, env, encoder, decoder);
    } catch (IOException | RuntimeException e) {
      closeQuietly(encoder);
      closeQuietly(decoder);
      throw e;
    }
  }

  private static OrtSession open(OrtEnvironment env, Path file) throws IOException {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      return env.createSession(file.toString(), options);
    } catch (OrtException e) {
      throw new IOException(file + ": ONNX Runtime cannot load it: " + e.getMessage(), e);
    }
  }

  private static int positive(JsonNode config, String field, Path file) throws IOException {
    JsonNode value = config.get(field);
    if (value == null || !value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < 1) {
      throw new IOException(file + ": " + field + " must be a positive integer, got " + value);
    }
    return value.asInt();
  }

  /** One input or output, of that type, whose fixed dimensions match {@code expected}. */
  private void check(OrtSession session, String graph, boolean input, long[] expected, TensorInfo.OnnxTensorType type,
      String what) throws IOException {
    Map<String, NodeInfo> infos;
    try {
      infos = input ? session.getInputInfo() : session.getOutputInfo();
    } catch (OrtException e) {
      throw new IOException(source.resolve(graph) + ": " + e.getMessage(), e);
    }
    if (infos.size() != 1) {
      throw new IOException(source.resolve(graph) + ": expected one " + what + ", found " + infos.keySet());
    }
    NodeInfo node = infos.values().iterator().next();
    if (!(node.getInfo() instanceof TensorInfo tensor) || tensor.onnxType != type) {
      throw new IOException(source.resolve(graph) + ": " + what + " '" + node.getName() + "' must be a "
          + type.name().replace("ONNX_TENSOR_ELEMENT_DATA_TYPE_", "").toLowerCase() + " tensor, got " + node.getInfo());
    }
    long[] shape = tensor.getShape();
    boolean fits = shape.length == expected.length;
    for (int i = 0; fits && i < shape.length; i++) {
      fits = shape[i] < 0 || shape[i] == expected[i];
    }
    if (!fits) {
      throw new IOException(source.resolve(graph) + ": " + what + " '" + node.getName() + "' has shape "
          + Arrays.toString(shape) + " but " + CONFIG + " says " + Arrays.toString(expected));
    }
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public int version() {
    return VERSION;
  }

  @Override
  public int codebookSize() {
    return codebookSize;
  }

  @Override
  public int usedCodes() {
    return usedCodes;
  }

  @Override
  public int imageSize() {
    return imageSize;
  }

  @Override
  public int tokensPerImage() {
    return height * width;
  }

  /** @return the code grid's height and width */
  public int[] grid() {
    return new int[] {height, width};
  }

  @Override
  public int[] encode(BufferedImage image) {
    ImageTokenizer.checkImage(image, imageSize);
    int plane = imageSize * imageSize;
    float[] pixels = new float[3 * plane];
    int[] rgb = image.getRGB(0, 0, imageSize, imageSize, null, 0, imageSize);
    float scale = (high - low) / 255f;
    for (int i = 0; i < plane; i++) {
      pixels[i] = low + ((rgb[i] >> 16) & 0xFF) * scale;
      pixels[plane + i] = low + ((rgb[i] >> 8) & 0xFF) * scale;
      pixels[2 * plane + i] = low + (rgb[i] & 0xFF) * scale;
    }
    try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(pixels), new long[] {1, 3, imageSize, imageSize});
        OrtSession.Result out = encoder.run(Map.of(encoder.getInputNames().iterator().next(), in))) {
      LongBuffer codes = ((OnnxTensor) out.get(0)).getLongBuffer();
      if (codes.remaining() != tokensPerImage()) {
        throw new IllegalStateException(source.resolve(ENCODER) + " returned " + codes.remaining() + " codes, not "
            + tokensPerImage());
      }
      int[] result = new int[tokensPerImage()];
      for (int i = 0; i < result.length; i++) {
        long code = codes.get(i);
        if (code < 0 || code >= codebookSize) {
          throw new IllegalStateException(source.resolve(ENCODER) + " returned code " + code + " at position " + i
              + ", outside the codebook [0, " + codebookSize + ")");
        }
        result[i] = (int) code;
      }
      return result;
    } catch (OrtException e) {
      throw new IllegalStateException(source.resolve(ENCODER) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public BufferedImage decode(int[] tokens) {
    ImageTokenizer.checkCodes(tokens, tokensPerImage(), codebookSize);
    long[] codes = Arrays.stream(tokens).asLongStream().toArray();
    try (OnnxTensor in = OnnxTensor.createTensor(env, LongBuffer.wrap(codes), new long[] {1, height, width});
        OrtSession.Result out = decoder.run(Map.of(decoder.getInputNames().iterator().next(), in))) {
      FloatBuffer pixels = ((OnnxTensor) out.get(0)).getFloatBuffer();
      int plane = imageSize * imageSize;
      if (pixels.remaining() != 3 * plane) {
        throw new IllegalStateException(source.resolve(DECODER) + " returned " + pixels.remaining() + " values, not "
            + 3 * plane);
      }
      int[] rgb = new int[plane];
      for (int i = 0; i < plane; i++) {
        rgb[i] = channel(pixels.get(i)) << 16 | channel(pixels.get(plane + i)) << 8 | channel(pixels.get(2 * plane + i));
      }
      BufferedImage image = new BufferedImage(imageSize, imageSize, BufferedImage.TYPE_INT_RGB);
      image.setRGB(0, 0, imageSize, imageSize, rgb, 0, imageSize);
      return image;
    } catch (OrtException e) {
      throw new IllegalStateException(source.resolve(DECODER) + ": " + e.getMessage(), e);
    }
  }

  /** A value in {@code [low, high]} as 0..255, rounded and clamped. */
  private int channel(float value) {
    int level = Math.round((value - low) * 255f / (high - low));
    return Math.max(0, Math.min(255, level));
  }

  /** Copies the three files into {@code dir} (a checkpoint's {@code tokenizers/}). */
  @Override
  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    if (Files.isSameFile(dir, source)) {
      return;
    }
    for (String name : FILES) {
      Path staged = dir.resolve(name + ".tmp");
      Files.copy(source.resolve(name), staged, StandardCopyOption.REPLACE_EXISTING);
      Files.move(staged, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  @Override
  public void close() {
    closeQuietly(encoder);
    closeQuietly(decoder);
  }

  private static void closeQuietly(OrtSession session) {
    if (session != null) {
      try {
        session.close();
      } catch (OrtException e) {
        // Closing frees native memory; nothing else to do if it fails.
      }
    }
  }
}
