package org.aia4j.djl.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.aia4j.api.data.TrainingData;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.api.tokenizer.TextTokenizer;
import org.aia4j.inference.sequence.ImageLayout;
import org.aia4j.inference.sequence.LayoutSequenceBuilder;
import org.aia4j.inference.sequence.SampleSequences;
import org.aia4j.inference.sequence.SequenceBuilder;
import org.aia4j.inference.sequence.TokenLayout;

/**
 * The vocabulary a training run lays its samples out in, and how a checkpoint records it: aia4j's
 * own ({@link TokenLayout}: specials, then the text tokenizer's ids, then the image codes) or an
 * imported model's ({@link ImageLayout}: the model's tokenizer's ids as they are, images written as
 * its layout says).
 */
public final class TrainingTokens {
  private final TextTokenizer text;
  private final ImageTokenizer image;
  private final TokenLayout layout;
  private final ImageLayout.Resolved imageLayout;
  private final SampleSequences sequences;
  private final int vocabularySize;

  private TrainingTokens(TextTokenizer text, ImageTokenizer image, TokenLayout layout, ImageLayout.Resolved imageLayout,
      SampleSequences sequences, int vocabularySize) {
    this.text = Objects.requireNonNull(text, "text");
    this.image = image;
    this.layout = layout;
    this.imageLayout = imageLayout;
    this.sequences = sequences;
    this.vocabularySize = vocabularySize;
  }

  /** aia4j's vocabulary over fitted (or a base's) tokenizers. */
  public static TrainingTokens aia4j(TextTokenizer text, ImageTokenizer image) {
    TokenLayout layout = TokenLayout.of(text, image);
    return new TrainingTokens(text, Objects.requireNonNull(image, "image"), layout, null,
        new SequenceBuilder(layout, text, image), layout.vocabularySize());
  }

  /**
   * An imported model's vocabulary.
   *
   * @param sequences the model's layout over its tokenizer (and image tokenizer, if it has one)
   * @param text the model's tokenizer
   * @param image its image tokenizer, or null when its samples carry codes
   * @param vocabularySize the model's vocabulary
   */
  public static TrainingTokens imported(LayoutSequenceBuilder sequences, TextTokenizer text, ImageTokenizer image,
      int vocabularySize) {
    return new TrainingTokens(text, image, null, sequences.layout(), sequences, vocabularySize);
  }

  /** @return how samples become sequences */
  public SampleSequences sequences() {
    return sequences;
  }

  /** @return the number of ids a model of this vocabulary has */
  public int vocabularySize() {
    return vocabularySize;
  }

  /** @return the text tokenizer */
  public TextTokenizer text() {
    return text;
  }

  /** @return the image tokenizer, empty for an imported model whose images come as codes */
  public Optional<ImageTokenizer> image() {
    return Optional.ofNullable(image);
  }

  /** @return aia4j's layout, empty for an imported model */
  public Optional<TokenLayout> layout() {
    return Optional.ofNullable(layout);
  }

  /**
   * Checks, before the first step, that {@code data} fits: its image size (when there is an image
   * tokenizer) and every pre-tokenized row's codes.
   *
   * @throws IllegalArgumentException naming the first thing that does not fit
   */
  public void check(TrainingData data) {
    if (image != null && image.imageSize() != data.imageSize()) {
      throw new IllegalArgumentException("The image tokenizer reads " + image.imageSize() + "x" + image.imageSize()
          + " images but the data has " + data.imageSize() + "x" + data.imageSize());
    }
    if (layout != null) {
      data.checkImageCodes(image); // pre-tokenized rows that do not fit fail now, naming the row
    } else {
      data.checkImageCodes(sequences::checkImageCodes);
    }
  }

  /** Saves the tokenizers' files into a checkpoint's {@code tokenizers/} directory. */
  public void save(Path tokenizers) throws IOException {
    if (image != null) {
      image.save(tokenizers);
    }
    text.save(tokenizers);
  }

  /**
   * Records the vocabulary in a checkpoint's {@code config.json}: {@code tokenizers} and aia4j's
   * {@code layout}, or an imported model's {@code image_layout}.
   */
  public void describe(ObjectNode root, ObjectMapper json) {
    ObjectNode tokenizers = root.putObject("tokenizers");
    if (image != null) {
      tokenizers.put("image", image.kind());
    }
    tokenizers.put("text", text.kind());
    if (layout != null) {
      ObjectNode section = root.putObject("layout");
      section.put("specials", TokenLayout.SPECIAL_COUNT);
      section.put("text", layout.textVocabularySize());
      section.put("image", layout.imageCodebookSize());
    } else {
      root.set("image_layout", json.valueToTree(imageLayout.layout()));
    }
  }
}
