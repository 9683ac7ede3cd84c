package org.aia4j.onnx.export;

import ai.onnx.proto.OnnxMl.TensorProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.aia4j.api.io.AtomicFiles;

/**
 * Writes a patch codebook (aia4j's {@code patch-vq} image tokenizer) as the two ONNX graphs of an
 * {@code onnx-vq} image tokenizer, so the contract a real model's VQ encoder and decoder are held
 * to is exercised by one aia4j can make itself:
 *
 * <pre>
 *   vq_encoder.onnx   pixels float32 (1, 3, S, S), values 0..255  ->  codes int64 (1, g, g)
 *   vq_decoder.onnx   codes int64 (1, g, g)  ->  pixels float32 (1, 3, S, S)
 *   vq.json           {"kind": "onnx-vq", "version": 1, "image_size": S, "grid": [g, g],
 *                      "codebook_size": C, "used_codes": U, "pixel_range": [0, 255]}
 * </pre>
 *
 * The encoder picks, per patch, the used code at the least squared RGB distance (the lowest on
 * ties, as ArgMin does); with integer pixels every distance is exact in float32 for patches up to
 * 16 x 16, so the graph's codes equal the Java tokenizer's. The decoder paints each code's patch;
 * unused codes paint code 0's.
 */
public final class PatchVqGraphs {
  private PatchVqGraphs() {}

  /**
   * @param dir the directory to write the three files into (created if missing)
   * @param imageSize the image side {@code S}
   * @param patchSize the patch side {@code p}, dividing {@code S}
   * @param codebookSize {@code C}
   * @param patches the used codes' patches, each {@code p * p} packed RGB ints in row-major order
   * @throws IllegalArgumentException if the sizes do not fit together
   */
  public static void write(Path dir, int imageSize, int patchSize, int codebookSize, int[][] patches)
      throws IOException {
    if (patchSize < 1 || patchSize > 16 || imageSize % patchSize != 0) {
      throw new IllegalArgumentException("patch side " + patchSize + " must be 1..16 and divide the image side "
          + imageSize);
    }
    if (patches.length < 1 || patches.length > codebookSize) {
      throw new IllegalArgumentException(patches.length + " patches for a codebook of " + codebookSize);
    }
    int grid = imageSize / patchSize;
    int width = 3 * patchSize * patchSize;
    float[] used = new float[patches.length * width];
    float[] full = new float[codebookSize * width];
    for (int c = 0; c < codebookSize; c++) {
      int[] patch = patches[c < patches.length ? c : 0];
      if (patch.length != patchSize * patchSize) {
        throw new IllegalArgumentException("patch " + c + " has " + patch.length + " pixels, not " + patchSize * patchSize);
      }
      for (int i = 0; i < patch.length; i++) {
        for (int channel = 0; channel < 3; channel++) {
          float value = (patch[i] >> (16 - 8 * channel)) & 0xFF;
          full[c * width + channel * patch.length + i] = value;
          if (c < patches.length) {
            used[c * width + channel * patch.length + i] = value;
          }
        }
      }
    }
    Files.createDirectories(dir);
    AtomicFiles.write(dir.resolve("vq_encoder.onnx"), encoder(imageSize, patchSize, grid, patches.length, used)
        .toByteArray());
    AtomicFiles.write(dir.resolve("vq_decoder.onnx"), decoder(imageSize, patchSize, grid, codebookSize, full)
        .toByteArray());
    AtomicFiles.writeString(dir.resolve("vq.json"), String.format(java.util.Locale.ROOT,
        "{\"kind\": \"onnx-vq\", \"version\": 1, \"image_size\": %d, \"grid\": [%d, %d], \"codebook_size\": %d,"
            + " \"used_codes\": %d, \"pixel_range\": [0, 255]}%n", imageSize, grid, grid, codebookSize, patches.length));
  }

  private static ai.onnx.proto.OnnxMl.ModelProto encoder(int size, int p, int g, int codes, float[] codebook) {
    GraphBuilder b = new GraphBuilder("vq_encoder");
    String pixels = b.input("pixels", TensorProto.DataType.FLOAT, 1, 3, size, size);
    // (1, 3, S, S) -> (3, g, p, g, p) -> (g, g, 3, p, p) -> (g*g, 3*p*p): one row per patch.
    String split = b.op("Reshape", pixels, b.ints(3, g, p, g, p));
    String rows = b.op("Reshape", b.op("Transpose", Map.of("perm", new long[] {1, 3, 0, 2, 4}), split),
        b.ints((long) g * g, 3L * p * p));
    String book = b.weight("codebook", new long[] {codes, 3L * p * p}, codebook);
    // |x - e|^2 = |x|^2 - 2 x.e + |e|^2, per patch and code.
    String xx = b.op("ReduceSum", Map.of("keepdims", 1L), b.op("Mul", rows, rows), b.ints(1));
    String ee = b.op("Transpose", Map.of("perm", new long[] {1, 0}),
        b.op("ReduceSum", Map.of("keepdims", 1L), b.op("Mul", book, book), b.ints(1)));
    String xe = b.op("MatMul", rows, b.op("Transpose", Map.of("perm", new long[] {1, 0}), book));
    String distance = b.op("Add", b.op("Sub", xx, b.op("Mul", xe, b.scalar(2f))), ee);
    String nearest = b.op("ArgMin", Map.of("axis", 1L, "keepdims", 0L), distance);
    b.opNamed("codes", "Reshape", Map.of(), nearest, b.ints(1, g, g));
    b.output("codes", TensorProto.DataType.INT64, 1, g, g);
    return b.model("aia4j", Map.of("aia4j.kind", "onnx-vq-encoder"));
  }

  private static ai.onnx.proto.OnnxMl.ModelProto decoder(int size, int p, int g, int codes, float[] codebook) {
    GraphBuilder b = new GraphBuilder("vq_decoder");
    String input = b.input("codes", TensorProto.DataType.INT64, 1, g, g);
    String book = b.weight("codebook", new long[] {codes, 3L * p * p}, codebook);
    String painted = b.op("Gather", Map.of("axis", 0L), book, b.op("Reshape", input, b.ints((long) g * g)));
    // (g*g, 3*p*p) -> (g, g, 3, p, p) -> (3, g, p, g, p) -> (1, 3, S, S).
    String cells = b.op("Reshape", painted, b.ints(g, g, 3, p, p));
    String planes = b.op("Transpose", Map.of("perm", new long[] {2, 0, 3, 1, 4}), cells);
    b.opNamed("pixels", "Reshape", Map.of(), planes, b.ints(1, 3, size, size));
    b.output("pixels", TensorProto.DataType.FLOAT, 1, 3, size, size);
    return b.model("aia4j", Map.of("aia4j.kind", "onnx-vq-decoder"));
  }
}
