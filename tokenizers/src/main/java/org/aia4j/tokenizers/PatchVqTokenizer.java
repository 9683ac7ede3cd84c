package org.aia4j.tokenizers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.aia4j.api.tokenizer.ImageTokenizer;

/**
 * A vector-quantising image tokenizer whose codes are square pixel patches: an image is cut into
 * {@code patchSize x patchSize} patches, each replaced by the nearest code (squared RGB distance,
 * summed over the patch's pixels; ties go to the lower code), in raster order of patches. With
 * the defaults a 32x32 image becomes 64 codes and a 64x64 image 256.
 *
 * <pre>{@code
 * PatchVqTokenizer tokenizer = PatchVqTrainer.defaults().fit(trainingImages);
 * int[] codes = tokenizer.encode(image);          // 64 codes for a 32x32 image
 * BufferedImage back = tokenizer.decode(codes);   // each code painted as its patch
 * tokenizer.save(checkpoint);                     // image-tokenizer.json
 * }</pre>
 *
 * <p><b>Used and unused codes.</b> A codebook may hold fewer patches than {@link #codebookSize()}
 * (when the training data had fewer distinct patches): codes {@code [0, usedCodes())} are
 * patches, codes {@code [usedCodes(), codebookSize())} are unused. {@link #encode} never emits an
 * unused code; {@link #decode} accepts one (it is a valid vocabulary entry a model might sample)
 * and paints it as code 0, the most frequent training patch (the background in the embedded
 * world), so a stray unused code draws nothing rather than failing. A model that wants to avoid
 * them masks codes {@code >= usedCodes()} at sampling.
 *
 * <p>Encoding is built for the training loop: an exact-match hash lookup (patches seen in
 * training, the common case) and otherwise a nearest-code search with early exit, over the
 * image's packed pixel array; no object is allocated per patch or pixel. Instances are immutable
 * and thread-safe.
 */
public final class PatchVqTokenizer implements ImageTokenizer {

  /** The provider name and {@code kind} field of this tokenizer's file. */
  public static final String KIND = "patch-vq";
  /** The on-disk format version {@link #save} writes. */
  public static final int VERSION = 1;
  /** The versions {@link PatchVqTokenizerProvider} reads. */
  static final Set<Integer> SUPPORTED_VERSIONS = Set.of(1);
  /** The file {@link #save} writes into a checkpoint directory. */
  public static final String FILE_NAME = "image-tokenizer.json";
  /** Largest image side (pixels) a tokenizer may have: 4096 x 4096 is 16 M pixels per image. */
  public static final int MAX_IMAGE_SIZE = 4096;
  /** Largest patch side (pixels) a tokenizer may have. */
  public static final int MAX_PATCH_SIZE = 256;

  private static final Pattern COLOUR = Pattern.compile("#[0-9a-fA-F]{6}");

  /**
   * How a codebook was made, saved with it so it can be made again.
   *
   * @param method {@code distinct-patches} (every distinct training patch is a code) or {@code
   *     k-means++} (clusters of distinct patches), or {@code given} when built by hand
   * @param seed the trainer's seed
   * @param iterations the trainer's k-means iteration cap
   * @param images training images seen
   * @param patches training patches seen
   * @param distinctPatches distinct training patches among them
   */
  public record Provenance(
      String method, long seed, int iterations, long images, long patches, int distinctPatches) {

    public Provenance {
      Objects.requireNonNull(method, "method");
    }

    /** Provenance of a codebook not made by {@link PatchVqTrainer}. */
    public static Provenance given() {
      return new Provenance("given", 0, 0, 0, 0, 0);
    }
  }

  private final int imageSize;
  private final int patchSize;
  private final int codebookSize;
  private final int patchesPerSide;
  private final int usedCodes;
  /** Code {@code c}'s pixels, row-major, at {@code [c * patchSize^2, (c + 1) * patchSize^2)}. */
  private final int[] codebook;
  /** Exact lookup; entry {@code e} of the table is code {@code entryCode[e]}. */
  private final PatchTable exact;
  private final int[] entryCode;
  private final Provenance provenance;

  /**
   * @param imageSize side of the square images, a multiple of {@code patchSize}
   * @param patchSize side of a patch in pixels
   * @param codebookSize number of codes, at least the number of patches given
   * @param codes the used codes' patches: each {@code patchSize * patchSize} packed {@code
   *     0xRRGGBB} pixels, row-major; at least one
   * @param provenance how they were made
   * @throws IllegalArgumentException on sizes that do not fit together
   */
  public PatchVqTokenizer(
      int imageSize, int patchSize, int codebookSize, List<int[]> codes, Provenance provenance) {
    if (patchSize < 1 || patchSize > MAX_PATCH_SIZE) {
      throw new IllegalArgumentException("The patch size must be in [1, " + MAX_PATCH_SIZE + "], got " + patchSize);
    }
    if (imageSize > MAX_IMAGE_SIZE) {
      throw new IllegalArgumentException("The image size must be at most " + MAX_IMAGE_SIZE + ", got " + imageSize);
    }
    if (imageSize < patchSize || imageSize % patchSize != 0) {
      throw new IllegalArgumentException(
          "The image size must be a positive multiple of the patch size " + patchSize + ", got "
              + imageSize);
    }
    if (codes.isEmpty() || codes.size() > codebookSize) {
      throw new IllegalArgumentException(
          "Expected 1 to " + codebookSize + " code patches (the codebook size), got "
              + codes.size());
    }
    int length = patchSize * patchSize;
    this.imageSize = imageSize;
    this.patchSize = patchSize;
    this.codebookSize = codebookSize;
    this.patchesPerSide = imageSize / patchSize;
    this.usedCodes = codes.size();
    this.codebook = new int[usedCodes * length];
    for (int c = 0; c < usedCodes; c++) {
      int[] patch = codes.get(c);
      if (patch.length != length) {
        throw new IllegalArgumentException(
            "Code " + c + " has " + patch.length + " pixels; a " + patchSize + "x" + patchSize
                + " patch has " + length);
      }
      for (int i = 0; i < length; i++) {
        if ((patch[i] & ~0xFFFFFF) != 0) {
          throw new IllegalArgumentException(
              String.format(
                  Locale.ROOT, "Code %d pixel %d is 0x%X, not a 0xRRGGBB colour", c, i, patch[i]));
        }
      }
      System.arraycopy(patch, 0, codebook, c * length, length);
    }
    this.exact = new PatchTable(patchSize);
    List<Integer> firstCodes = new ArrayList<>();
    for (int c = 0; c < usedCodes; c++) {
      if (exact.add(codebook, c * length, patchSize) == firstCodes.size()) {
        firstCodes.add(c); // a duplicate patch keeps its lowest code, as the nearest search does
      }
    }
    this.entryCode = firstCodes.stream().mapToInt(Integer::intValue).toArray();
    this.provenance = Objects.requireNonNull(provenance, "provenance");
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
  public int imageSize() {
    return imageSize;
  }

  @Override
  public int tokensPerImage() {
    return patchesPerSide * patchesPerSide;
  }

  /** @return the side of a patch in pixels */
  public int patchSize() {
    return patchSize;
  }

  /** @return how many codes are patches; the rest, up to {@link #codebookSize()}, are unused */
  @Override
  public int usedCodes() {
    return usedCodes;
  }

  /**
   * @param code a code in {@code [0, codebookSize())}
   * @return its patch, row-major packed {@code 0xRRGGBB} (code 0's for an unused code)
   */
  public int[] patch(int code) {
    ImageTokenizer.checkCodes(new int[] {code}, 1, codebookSize);
    int length = patchSize * patchSize;
    int source = code < usedCodes ? code : 0;
    int[] patch = new int[length];
    System.arraycopy(codebook, source * length, patch, 0, length);
    return patch;
  }

  /** @return how this codebook was made */
  public Provenance provenance() {
    return provenance;
  }

  @Override
  public int[] encode(BufferedImage image) {
    ImageTokenizer.checkImage(image, imageSize);
    int[] pixels = PatchTable.rgb(image);
    int[] codes = new int[tokensPerImage()];
    for (int py = 0; py < patchesPerSide; py++) {
      for (int px = 0; px < patchesPerSide; px++) {
        int offset = py * patchSize * imageSize + px * patchSize;
        int entry = exact.find(pixels, offset, imageSize);
        codes[py * patchesPerSide + px] =
            entry >= 0 ? entryCode[entry] : nearest(pixels, offset, imageSize);
      }
    }
    return codes;
  }

  /** The code nearest the patch at {@code pixels[offset]}, the lowest on ties. */
  private int nearest(int[] pixels, int offset, int stride) {
    int length = patchSize * patchSize;
    int best = 0;
    long bestDistance = Long.MAX_VALUE;
    for (int c = 0; c < usedCodes; c++) {
      int base = c * length;
      long distance = 0;
      for (int y = 0; y < patchSize && distance < bestDistance; y++) {
        int row = offset + y * stride;
        for (int x = 0; x < patchSize; x++) {
          int a = pixels[row + x];
          int b = codebook[base + y * patchSize + x];
          int dr = ((a >> 16) & 0xFF) - ((b >> 16) & 0xFF);
          int dg = ((a >> 8) & 0xFF) - ((b >> 8) & 0xFF);
          int db = (a & 0xFF) - (b & 0xFF);
          distance += dr * dr + dg * dg + db * db;
        }
      }
      if (distance < bestDistance) {
        bestDistance = distance;
        best = c;
      }
    }
    return best;
  }

  @Override
  public BufferedImage decode(int[] tokens) {
    ImageTokenizer.checkCodes(tokens, tokensPerImage(), codebookSize);
    int length = patchSize * patchSize;
    int[] pixels = new int[imageSize * imageSize];
    for (int i = 0; i < tokens.length; i++) {
      int code = tokens[i] < usedCodes ? tokens[i] : 0;
      int offset = (i / patchesPerSide) * patchSize * imageSize + (i % patchesPerSide) * patchSize;
      for (int y = 0; y < patchSize; y++) {
        System.arraycopy(
            codebook, code * length + y * patchSize, pixels, offset + y * imageSize, patchSize);
      }
    }
    BufferedImage image = new BufferedImage(imageSize, imageSize, BufferedImage.TYPE_INT_RGB);
    image.getRaster().setDataElements(0, 0, imageSize, imageSize, pixels);
    return image;
  }

  /**
   * Writes {@value #FILE_NAME}: {@code kind}, {@code version}, {@code imageSize}, {@code
   * patchSize}, {@code codebookSize}, {@code provenance} and {@code codebook}, an array of the
   * {@link #usedCodes()} code patches, each an array of {@code patchSize^2} {@code "#rrggbb"}
   * strings in row-major order. Atomic: a temporary file renamed over the old one.
   */
  @Override
  public void save(Path dir) throws IOException {
    ObjectNode root = TokenizerFile.header(KIND, VERSION);
    root.put("imageSize", imageSize);
    root.put("patchSize", patchSize);
    root.put("codebookSize", codebookSize);
    ObjectNode made = root.putObject("provenance");
    made.put("method", provenance.method());
    made.put("seed", provenance.seed());
    made.put("iterations", provenance.iterations());
    made.put("images", provenance.images());
    made.put("patches", provenance.patches());
    made.put("distinctPatches", provenance.distinctPatches());
    ArrayNode rows = root.putArray("codebook");
    int length = patchSize * patchSize;
    for (int c = 0; c < usedCodes; c++) {
      ArrayNode row = rows.addArray();
      for (int i = 0; i < length; i++) {
        row.add(String.format(Locale.ROOT, "#%06x", codebook[c * length + i]));
      }
    }
    TokenizerFile.writeAtomically(dir, FILE_NAME, root);
  }

  /** Reads what {@link #save} wrote; {@link PatchVqTokenizerProvider#load} is the public way. */
  static PatchVqTokenizer read(Path dir) throws IOException {
    TokenizerFile file = TokenizerFile.read(dir, FILE_NAME, KIND, SUPPORTED_VERSIONS);
    int imageSize = file.integer("imageSize");
    int patchSize = file.integer("patchSize");
    int codebookSize = file.integer("codebookSize");
    // Bounded before any size is multiplied: 65536^2 pixels per patch or (1048576/16)^2 tokens
    // per image overflow an int (to 0), which would fail far from here with no file named.
    if (patchSize < 1 || patchSize > MAX_PATCH_SIZE) {
      throw file.shape("'patchSize' must be in [1, " + MAX_PATCH_SIZE + "], got " + patchSize);
    }
    if (imageSize < 1 || imageSize > MAX_IMAGE_SIZE) {
      throw file.shape("'imageSize' must be in [1, " + MAX_IMAGE_SIZE + "], got " + imageSize);
    }
    if (imageSize < patchSize || imageSize % patchSize != 0) {
      throw file.shape(
          "imageSize " + imageSize + " must be a positive multiple of patchSize " + patchSize);
    }
    if (codebookSize < 1) {
      throw file.shape("'codebookSize' must be >= 1, got " + codebookSize);
    }
    ArrayNode rows = file.array("codebook");
    if (rows.isEmpty() || rows.size() > codebookSize) {
      throw file.shape(
          "the codebook has " + rows.size() + " codes; expected 1 to codebookSize ("
              + codebookSize + ")");
    }
    int length = patchSize * patchSize;
    List<int[]> codes = new ArrayList<>(rows.size());
    for (int c = 0; c < rows.size(); c++) {
      JsonNode row = rows.get(c);
      if (!row.isArray() || row.size() != length) {
        throw file.shape(
            "codebook entry " + c + " must be an array of " + length + " colours (a "
                + patchSize + "x" + patchSize + " patch), got "
                + (row.isArray() ? row.size() + " elements" : row.getNodeType().toString()));
      }
      int[] patch = new int[length];
      for (int i = 0; i < length; i++) {
        patch[i] = parseColour(file, row.get(i), c, i);
      }
      codes.add(patch);
    }
    JsonNode made = file.optional("provenance");
    Provenance provenance =
        new Provenance(
            made.path("method").asText("unknown"),
            made.path("seed").asLong(),
            made.path("iterations").asInt(),
            made.path("images").asLong(),
            made.path("patches").asLong(),
            made.path("distinctPatches").asInt());
    return new PatchVqTokenizer(imageSize, patchSize, codebookSize, codes, provenance);
  }

  private static int parseColour(TokenizerFile file, JsonNode node, int code, int pixel)
      throws IOException {
    if (!node.isTextual() || !COLOUR.matcher(node.textValue()).matches()) {
      throw file.shape(
          "codebook entry " + code + " pixel " + pixel + " must be a \"#rrggbb\" colour, got "
              + node);
    }
    return Integer.parseInt(node.textValue().substring(1), 16);
  }

  @Override
  public String toString() {
    return "PatchVqTokenizer[" + imageSize + "x" + imageSize + ", " + patchSize + "x" + patchSize
        + " patches, " + usedCodes + "/" + codebookSize + " codes, " + provenance.method() + "]";
  }
}
