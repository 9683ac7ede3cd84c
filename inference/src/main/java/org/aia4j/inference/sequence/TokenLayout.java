package org.aia4j.inference.sequence;

import java.util.Arrays;
import java.util.List;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.api.tokenizer.TextTokenizer;

/**
 * The unified vocabulary: {@value #SPECIAL_COUNT} special ids first, then the text tokenizer's
 * ids, then the image tokenizer's codes.
 *
 * <pre>
 *   0 &lt;pad&gt;   1 &lt;bos&gt;   2 &lt;eos&gt;   3 &lt;boi&gt;   4 &lt;eoi&gt;   5 &lt;answer&gt;   6..15 reserved (task markers)
 *   16 .. 16+T-1           text ids 0..T-1      (T = text vocabulary size)
 *   16+T .. 16+T+C-1       image codes 0..C-1   (C = image codebook size)
 * </pre>
 *
 * <p>The reserved ids keep room for task markers, so adding one later does not shift text and
 * image ids (old checkpoints stay readable). Serialisable with Jackson as its two sizes.
 *
 * @param textVocabularySize the text tokenizer's {@link TextTokenizer#vocabularySize()}
 * @param imageCodebookSize the image tokenizer's {@link ImageTokenizer#codebookSize()}
 */
public record TokenLayout(int textVocabularySize, int imageCodebookSize) {

  /** Padding, right of every shorter sequence in a batch; never a target with loss. */
  public static final int PAD = 0;
  /** Start of every sequence. */
  public static final int BOS = 1;
  /** End of every sequence. */
  public static final int EOS = 2;
  /** Begin of image. */
  public static final int BOI = 3;
  /** End of image. */
  public static final int EOI = 4;
  /** Separates an understanding prompt from its answer. */
  public static final int ANSWER = 5;
  /** Number of ids reserved for specials, named or not; text ids start here. */
  public static final int SPECIAL_COUNT = 16;

  private static final List<String> NAMES =
      List.of("<pad>", "<bos>", "<eos>", "<boi>", "<eoi>", "<answer>");

  // Validates both sizes.
  public TokenLayout {
    if (textVocabularySize < 1) {
      throw new IllegalArgumentException(
          "textVocabularySize must be >= 1, got " + textVocabularySize);
    }
    if (imageCodebookSize < 1) {
      throw new IllegalArgumentException(
          "imageCodebookSize must be >= 1, got " + imageCodebookSize);
    }
    // The sum is an int id range: sizes read from files must not wrap it around.
    long total = (long) SPECIAL_COUNT + textVocabularySize + imageCodebookSize;
    if (total > org.aia4j.inference.model.ModelConfig.MAX_VOCABULARY) {
      throw new IllegalArgumentException("the text vocabulary (" + textVocabularySize + ") and the image codebook ("
          + imageCodebookSize + ") make a vocabulary of " + total + ", more than the "
          + org.aia4j.inference.model.ModelConfig.MAX_VOCABULARY + " a model may have");
    }
  }

  /**
   * @param text the text tokenizer
   * @param image the image tokenizer
   * @return the layout over both vocabularies
   */
  public static TokenLayout of(TextTokenizer text, ImageTokenizer image) {
    return new TokenLayout(text.vocabularySize(), image.codebookSize());
  }

  /** @return the number of ids in the unified vocabulary: the model's {@code vocabSize} */
  public int vocabularySize() {
    return imageOffset() + imageCodebookSize;
  }

  /** @return the unified id of text id 0 */
  public int textOffset() {
    return SPECIAL_COUNT;
  }

  /** @return the unified id of image code 0; image ids are {@code [imageOffset, vocabularySize)} */
  public int imageOffset() {
    return SPECIAL_COUNT + textVocabularySize;
  }

  /** @return true for the specials' ids, named or reserved */
  public boolean isSpecial(int id) {
    return id >= 0 && id < SPECIAL_COUNT;
  }

  /** @return true for ids of text tokens */
  public boolean isTextToken(int id) {
    return id >= SPECIAL_COUNT && id < imageOffset();
  }

  /** @return true for ids of image codes */
  public boolean isImageToken(int id) {
    return id >= imageOffset() && id < vocabularySize();
  }

  /**
   * @param textId an id of the text tokenizer
   * @return its unified id
   * @throws IllegalArgumentException if it is outside the text vocabulary
   */
  public int fromText(int textId) {
    if (textId < 0 || textId >= textVocabularySize) {
      throw new IllegalArgumentException(
          "Text id " + textId + " is outside the text vocabulary [0, " + textVocabularySize + ")");
    }
    return SPECIAL_COUNT + textId;
  }

  /** @return the unified ids of text tokenizer ids */
  public int[] fromText(int[] textIds) {
    int[] ids = new int[textIds.length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = fromText(textIds[i]);
    }
    return ids;
  }

  /**
   * @param id a unified id
   * @return the text tokenizer's id
   * @throws IllegalArgumentException if the id is not a text token
   */
  public int toText(int id) {
    if (!isTextToken(id)) {
      throw new IllegalArgumentException(describe(id) + " (id " + id + ") is not a text token");
    }
    return id - SPECIAL_COUNT;
  }

  /**
   * @param code an image tokenizer code
   * @return its unified id
   * @throws IllegalArgumentException if it is outside the codebook
   */
  public int fromImage(int code) {
    if (code < 0 || code >= imageCodebookSize) {
      throw new IllegalArgumentException(
          "Image code " + code + " is outside the codebook [0, " + imageCodebookSize + ")");
    }
    return imageOffset() + code;
  }

  /** @return the unified ids of image codes */
  public int[] fromImage(int[] codes) {
    int[] ids = new int[codes.length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = fromImage(codes[i]);
    }
    return ids;
  }

  /**
   * @param id a unified id
   * @return the image tokenizer's code
   * @throws IllegalArgumentException if the id is not an image token
   */
  public int toImage(int id) {
    if (!isImageToken(id)) {
      throw new IllegalArgumentException(describe(id) + " (id " + id + ") is not an image token");
    }
    return id - imageOffset();
  }

  /** @return the image codes of unified ids, each of which must be an image token */
  public int[] toImage(int[] ids) {
    int[] codes = new int[ids.length];
    for (int i = 0; i < codes.length; i++) {
      codes[i] = toImage(ids[i]);
    }
    return codes;
  }

  /**
   * @param name a special's name, e.g. {@code <boi>} or {@code <reserved_7>}
   * @return its id
   * @throws IllegalArgumentException for an unknown name, listing the named specials
   */
  public static int specialId(String name) {
    int named = NAMES.indexOf(name);
    if (named >= 0) {
      return named;
    }
    for (int id = NAMES.size(); id < SPECIAL_COUNT; id++) {
      if (specialName(id).equals(name)) {
        return id;
      }
    }
    throw new IllegalArgumentException(
        "Unknown special token '" + name + "'. Known: " + NAMES + " and <reserved_6>..<reserved_15>");
  }

  /**
   * @param id an id in {@code [0, SPECIAL_COUNT)}
   * @return its name, e.g. {@code <bos>}; unnamed ones are {@code <reserved_N>}
   */
  public static String specialName(int id) {
    if (id < 0 || id >= SPECIAL_COUNT) {
      throw new IllegalArgumentException(
          "Special ids are [0, " + SPECIAL_COUNT + "), got " + id);
    }
    return id < NAMES.size() ? NAMES.get(id) : "<reserved_" + id + ">";
  }

  /**
   * @param id any int
   * @return a readable form for logs and tests: {@code <bos>}, {@code text:12}, {@code img:7}, or
   *     {@code invalid:N}
   */
  public String describe(int id) {
    if (isSpecial(id)) {
      return specialName(id);
    }
    if (isTextToken(id)) {
      return "text:" + (id - SPECIAL_COUNT);
    }
    if (isImageToken(id)) {
      return "img:" + (id - imageOffset());
    }
    return "invalid:" + id;
  }

  /** @return {@link #describe} of every id, space-separated */
  public String describe(int[] ids) {
    return String.join(" ", Arrays.stream(ids).mapToObj(this::describe).toList());
  }
}
