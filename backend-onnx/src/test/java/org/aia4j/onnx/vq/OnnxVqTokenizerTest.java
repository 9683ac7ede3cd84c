package org.aia4j.onnx.vq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.aia4j.api.Registries;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.onnx.export.PatchVqGraphs;
import org.aia4j.tokenizers.PatchVqTokenizer;
import org.aia4j.tokenizers.PatchVqTrainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code onnx-vq} image tokenizer on ONNX Runtime against the plain-Java patch VQ it was
 * written from (the second engine): the same codes for images it was not fitted on, the same
 * pixels back, code for code; and graphs that do not match {@code vq.json} refused by name.
 */
class OnnxVqTokenizerTest {
  @TempDir static Path dir;

  private static PatchVqTokenizer reference;
  private static Path graphs;

  /** Seeded 32 x 32 scenes of coloured rectangles on a grey ground, with pixel noise. */
  private static List<BufferedImage> scenes(long seed, int count, int noise) {
    Random random = new Random(seed);
    List<BufferedImage> out = new ArrayList<>();
    for (int n = 0; n < count; n++) {
      BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
      Graphics2D g = image.createGraphics();
      g.setColor(Color.GRAY);
      g.fillRect(0, 0, 32, 32);
      for (int r = 0; r < 3; r++) {
        g.setColor(new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256)));
        g.fillRect(random.nextInt(24), random.nextInt(24), 4 + random.nextInt(12), 4 + random.nextInt(12));
      }
      g.dispose();
      for (int i = 0; noise > 0 && i < 32 * 32; i++) {
        int rgb = image.getRGB(i % 32, i / 32);
        int shift = random.nextInt(2 * noise + 1) - noise;
        int red = Math.max(0, Math.min(255, ((rgb >> 16) & 0xFF) + shift));
        image.setRGB(i % 32, i / 32, (rgb & 0xFF00FFFF) | red << 16);
      }
      out.add(image);
    }
    return out;
  }

  @BeforeAll
  static void fixture() throws IOException {
    reference = PatchVqTrainer.defaults().withPatchSize(8).withCodebookSize(16).withSeed(3).fit(scenes(1, 24, 0));
    int[][] patches = new int[reference.usedCodes()][];
    for (int c = 0; c < patches.length; c++) {
      patches[c] = reference.patch(c);
    }
    graphs = dir.resolve("vq");
    PatchVqGraphs.write(graphs, 32, 8, 16, patches);
  }

  @Test
  void codesAndPixelsEqualThePlainJavaTokenizer() throws IOException {
    ImageTokenizer onnx = Registries.imageTokenizers().get("onnx-vq").load(graphs);
    assertThat(onnx.tokensPerImage()).isEqualTo(16);
    assertThat(onnx.codebookSize()).isEqualTo(16);
    assertThat(onnx.usedCodes()).isEqualTo(reference.usedCodes());
    int differing = 0;
    for (BufferedImage image : scenes(99, 12, 20)) {
      int[] codes = onnx.encode(image);
      assertThat(codes).isEqualTo(reference.encode(image));
      BufferedImage back = onnx.decode(codes);
      BufferedImage expected = reference.decode(codes);
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          assertThat(back.getRGB(x, y)).isEqualTo(expected.getRGB(x, y));
          differing += back.getRGB(x, y) != image.getRGB(x, y) ? 1 : 0;
        }
      }
    }
    assertThat(differing).as("noisy images are not reproduced exactly by 16 codes").isPositive();
    int[] unused = new int[16];
    java.util.Arrays.fill(unused, 15);
    assertThat(onnx.decode(unused).getRGB(5, 5)).isEqualTo(reference.decode(unused).getRGB(5, 5));

    Path copy = dir.resolve("copy");
    onnx.save(copy);
    ImageTokenizer again = OnnxVqTokenizer.load(copy);
    BufferedImage probe = scenes(7, 1, 0).get(0);
    assertThat(again.encode(probe)).isEqualTo(onnx.encode(probe));
    assertThatThrownBy(() -> onnx.decode(new int[] {1, 2})).hasMessageContaining("Expected 16 image tokens");
    assertThatThrownBy(() -> onnx.encode(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB)))
        .hasMessageContaining("32x32");
  }

  @Test
  void graphsThatDoNotMatchTheirConfigAreRefusedByName() throws IOException {
    Path bad = dir.resolve("bad");
    PatchVqGraphs.write(bad, 32, 8, 16, new int[][] {reference.patch(0)});
    String config = Files.readString(bad.resolve("vq.json"));
    Files.writeString(bad.resolve("vq.json"), config.replace("\"grid\": [4, 4]", "\"grid\": [5, 5]"));
    assertThatThrownBy(() -> OnnxVqTokenizer.load(bad)).isInstanceOf(IOException.class)
        .hasMessageContaining("vq_encoder.onnx").hasMessageContaining("'codes' has shape [1, 4, 4]")
        .hasMessageContaining("[1, 5, 5]");
    Files.writeString(bad.resolve("vq.json"), config.replace("\"image_size\": 32", "\"image_size\": 64"));
    assertThatThrownBy(() -> OnnxVqTokenizer.load(bad)).hasMessageContaining("'pixels' has shape [1, 3, 32, 32]");
    Files.writeString(bad.resolve("vq.json"), config.replace("[0, 255]", "[1, -1]"));
    assertThatThrownBy(() -> OnnxVqTokenizer.load(bad)).hasMessageContaining("pixel_range");
    Files.writeString(bad.resolve("vq.json"), config.replace("onnx-vq", "patch-vq"));
    assertThatThrownBy(() -> OnnxVqTokenizer.load(bad)).hasMessageContaining("expected kind \"onnx-vq\"");
    Files.writeString(bad.resolve("vq.json"), config);
    Files.write(bad.resolve("vq_decoder.onnx"), new byte[] {1, 2, 3});
    assertThatThrownBy(() -> OnnxVqTokenizer.load(bad)).hasMessageContaining("vq_decoder.onnx")
        .hasMessageContaining("cannot load");
    Files.delete(bad.resolve("vq_decoder.onnx"));
    assertThatThrownBy(() -> OnnxVqTokenizer.load(bad)).isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("vq_decoder.onnx");
  }
}
