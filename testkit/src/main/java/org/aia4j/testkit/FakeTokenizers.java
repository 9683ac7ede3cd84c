package org.aia4j.testkit;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.api.tokenizer.TextTokenizer;

/** Minimal tokenizers for layout tests: a word list and a 2x2-patch image tokenizer. */
public final class FakeTokenizers {

  private FakeTokenizers() {}

  /** Words by index; id 0 is {@code <unk>}. */
  public static TextTokenizer words(String... words) {
    List<String> vocab = Arrays.asList(words);
    return new TextTokenizer() {
      @Override
      public String kind() {
        return "fake-words";
      }

      @Override
      public int version() {
        return 1;
      }

      @Override
      public int vocabularySize() {
        return vocab.size();
      }

      @Override
      public int unknownId() {
        return 0;
      }

      @Override
      public int[] encode(String text) {
        return Arrays.stream(text.strip().split("\\s+"))
            .filter(w -> !w.isEmpty())
            .mapToInt(this::id)
            .toArray();
      }

      @Override
      public String decode(int[] ids) {
        return String.join(" ", Arrays.stream(ids).mapToObj(this::token).toList());
      }

      @Override
      public String token(int id) {
        return vocab.get(id);
      }

      @Override
      public int id(String token) {
        int i = vocab.indexOf(token);
        return i < 0 ? 0 : i;
      }

      @Override
      public void save(Path dir) {}
    };
  }

  /** 4x4 images, four 2x2 patches; a patch's code is its top-left blue value mod the codebook. */
  public static ImageTokenizer patches(int codebook) {
    return new ImageTokenizer() {
      @Override
      public String kind() {
        return "fake-patches";
      }

      @Override
      public int version() {
        return 1;
      }

      @Override
      public int codebookSize() {
        return codebook;
      }

      @Override
      public int imageSize() {
        return 4;
      }

      @Override
      public int tokensPerImage() {
        return 4;
      }

      @Override
      public int[] encode(BufferedImage image) {
        ImageTokenizer.checkImage(image, 4);
        int[] codes = new int[4];
        for (int p = 0; p < 4; p++) {
          codes[p] = (image.getRGB((p % 2) * 2, (p / 2) * 2) & 0xFF) % codebook;
        }
        return codes;
      }

      @Override
      public BufferedImage decode(int[] tokens) {
        ImageTokenizer.checkCodes(tokens, 4, codebook);
        return new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
      }

      @Override
      public void save(Path dir) {}
    };
  }

  /** A 4x4 image whose patches encode to {@code codes}. */
  public static BufferedImage image(int... codes) {
    BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
    for (int p = 0; p < 4; p++) {
      for (int dy = 0; dy < 2; dy++) {
        for (int dx = 0; dx < 2; dx++) {
          img.setRGB((p % 2) * 2 + dx, (p / 2) * 2 + dy, codes[p]);
        }
      }
    }
    return img;
  }
}
