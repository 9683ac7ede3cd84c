package org.aia4j.inference.sequence;

import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalInt;
import org.aia4j.api.data.GenerationSample;
import org.aia4j.api.data.UnderstandingSample;
import org.aia4j.api.interaction.TokenRole;
import org.aia4j.api.model.Task;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.api.tokenizer.TextTokenizer;

/**
 * Lays samples out in an imported model's own token stream, as its {@link ImageLayout} says:
 *
 * <pre>
 *   understanding:  [bos] understanding_template({image}, {question}) answer [eos]
 *                   token loss on predicting the answer and eos
 *   generation:     [bos] generation_template({prompt}) image [eos]
 *                   token loss on predicting the image's codes and everything after them
 *   prompt dropped: the unconditional prompt in place of the template (classifier-free guidance)
 * </pre>
 *
 * <p>{@code [bos]} is there when the model's tokenizer puts it before a prompt ({@code
 * tokenizer_config.json}'s {@code add_bos_token} or its post-processor), {@code [eos]} when it names
 * an {@code eos_token}. The image is written as {@link ImageLayout.Resolved#image} does: begin
 * markers, size prefix, rows of codes with their row ends, end markers. Each text piece (the
 * template's literal parts, the question, the prompt, the answer) is tokenized on its own, so a
 * marker never merges with the text beside it.
 *
 * <p>Roles, for the interaction statistic: codes are {@link TokenRole#IMAGE}, the answer {@link
 * TokenRole#ANSWER}, every text of the prompt (the template's words included) {@link TokenRole#TEXT},
 * the leading bos {@link TokenRole#BOS}; markers, separators and the size prefix are {@link
 * TokenRole#OTHER}. A layout that writes rows (a row end or a size prefix) needs a square grid of
 * codes; one that does not takes any number.
 */
public final class LayoutSequenceBuilder implements SampleSequences {
  private static final String DEFAULT_UNDERSTANDING = "{image}{question}";
  private static final String DEFAULT_GENERATION = "{prompt}";

  private final ImageLayout.Resolved layout;
  private final TextTokenizer text;
  private final ImageTokenizer image;
  private final OptionalInt bos;
  private final OptionalInt eos;

  /**
   * @param layout the model's layout, resolved against its tokenizer and vocabulary
   * @param text the model's tokenizer
   * @param image the model's image tokenizer, or null when its images come only as codes
   * @throws IllegalArgumentException if the image tokenizer's codebook is not the layout's
   */
  public LayoutSequenceBuilder(ImageLayout.Resolved layout, TextTokenizer text, ImageTokenizer image) {
    this.layout = Objects.requireNonNull(layout, "layout");
    this.text = Objects.requireNonNull(text, "text");
    this.image = image;
    if (image != null && image.codebookSize() != layout.codeIds().length) {
      throw new IllegalArgumentException("the image tokenizer (" + image.kind() + ") has " + image.codebookSize()
          + " codes but layout '" + layout.layout().name() + "' has " + layout.codeIds().length);
    }
    this.bos = leadingSpecial(text);
    this.eos = text.endOfTextId();
  }

  /** @return the layout sequences are written in */
  public ImageLayout.Resolved layout() {
    return layout;
  }

  /** The id the tokenizer puts before a prompt on its own, if it puts one. */
  private static OptionalInt leadingSpecial(TextTokenizer text) {
    int[] plain = text.encode("a");
    int[] special = text.encodeWithSpecials("a");
    if (special.length > plain.length && (plain.length == 0 || special[0] != plain[0])) {
      return OptionalInt.of(special[0]);
    }
    return OptionalInt.empty();
  }

  @Override
  public TokenSequence understanding(UnderstandingSample sample) {
    int[][] rows = rows(sample.isTokenized() ? sample.imageCodes() : encode(sample.image()));
    int[] answer = text.encode(sample.answer());
    if (answer.length == 0) {
      throw new IllegalArgumentException("The answer '" + sample.answer() + "' encodes to no tokens");
    }
    SequenceAppender seq = start();
    writeQuestion(seq, rows, sample.prompt());
    int firstAnswer = seq.size();
    seq.add(answer, TokenRole.ANSWER);
    int last = seq.size() - 1;
    if (eos.isPresent()) {
      seq.add(eos.getAsInt(), TokenRole.OTHER);
    }
    // The position before the answer predicts its first token; with eos, the last answer token predicts it.
    return seq.build(Task.UNDERSTANDING, firstAnswer - 1, eos.isPresent() ? last : last - 1, false);
  }

  /**
   * What answering feeds before the answer's first token: {@code [bos]} and the understanding
   * template with the image and the question in it.
   *
   * @param codes the image's codes
   * @param question the question
   */
  public int[] understandingPrefix(int[] codes, String question) {
    SequenceAppender seq = start();
    writeQuestion(seq, rows(codes), question);
    return seq.tokens();
  }

  /** The understanding template with the image's rows and the question in it. */
  private void writeQuestion(SequenceAppender seq, int[][] rows, String question) {
    String template = Objects.requireNonNullElse(layout.layout().understandingTemplate(), DEFAULT_UNDERSTANDING);
    int imageAt = template.indexOf("{image}");
    int questionAt = template.indexOf("{question}");
    int cursor = 0;
    for (int at : imageAt < questionAt ? new int[] {imageAt, questionAt} : new int[] {questionAt, imageAt}) {
      seq.add(text.encode(template.substring(cursor, at)), TokenRole.TEXT);
      if (at == imageAt) {
        layout.image(rows, text, (id, code) -> seq.add(id, code ? TokenRole.IMAGE : TokenRole.OTHER));
        cursor = at + "{image}".length();
      } else {
        seq.add(text.encode(question), TokenRole.TEXT);
        cursor = at + "{question}".length();
      }
    }
    seq.add(text.encode(template.substring(cursor)), TokenRole.TEXT);
  }

  /** @return the image tokenizer, if the model has one */
  public java.util.Optional<ImageTokenizer> imageTokenizer() {
    return java.util.Optional.ofNullable(image);
  }

  /** @return the grid (height, width) a layout that writes rows puts {@code codes} codes in: square */
  public int[] grid(int codes) {
    int[][] rows = rows(new int[codes]);
    return new int[] {rows.length, rows[0].length};
  }

  @Override
  public TokenSequence generation(GenerationSample sample, boolean dropPrompt) {
    int[][] rows = rows(sample.isTokenized() ? sample.imageCodes() : encode(sample.image()));
    SequenceAppender seq = start();
    writePrompt(seq, sample.prompt(), dropPrompt);
    int[] firstCode = {-1};
    layout.image(rows, text, (id, code) -> {
      int position = seq.add(id, code ? TokenRole.IMAGE : TokenRole.OTHER);
      if (code && firstCode[0] < 0) {
        firstCode[0] = position;
      }
    });
    if (eos.isPresent()) {
      seq.add(eos.getAsInt(), TokenRole.OTHER);
    }
        // The position before the first code predicts it; the last but one predicts the last token.
    return seq.build(Task.GENERATION, firstCode[0] - 1, seq.size() - 2, dropPrompt);
  }

  /**
   * What generation feeds before the first image code: {@code [bos]}, the prompt, and the image's
   * opening as the layout writes it for a {@code height x width} grid.
   *
   * @param prompt the description
   * @param unconditional true for classifier-free guidance's unconditional row
   */
  public int[] generationPrefix(String prompt, boolean unconditional, int height, int width) {
    SequenceAppender seq = start();
    writePrompt(seq, prompt, unconditional);
    int[][] probe = new int[height][width];
    boolean[] inCodes = {false};
    layout.image(probe, text, (id, code) -> {
      inCodes[0] |= code;
      if (!inCodes[0]) {
        seq.add(id, TokenRole.OTHER);
      }
    });
    return seq.tokens();
  }

  private void writePrompt(SequenceAppender seq, String prompt, boolean dropPrompt) {
    ImageLayout spec = layout.layout();
    if (dropPrompt) {
      if (spec.unconditionalPrompt() != null) {
        seq.add(text.encode(spec.unconditionalPrompt()), TokenRole.TEXT);
      }
      return;
    }
    String template = Objects.requireNonNullElse(spec.generationTemplate(), DEFAULT_GENERATION);
    int at = template.indexOf("{prompt}");
    seq.add(text.encode(template.substring(0, at)), TokenRole.TEXT);
    seq.add(text.encode(prompt), TokenRole.TEXT);
    seq.add(text.encode(template.substring(at + "{prompt}".length())), TokenRole.TEXT);
  }

  @Override
  public void checkImageCodes(int[] codes) {
    rows(codes);
  }

  private int[] encode(java.awt.image.BufferedImage picture) {
    if (image == null) {
      throw new IllegalArgumentException("this model has no image tokenizer, so its samples must carry their image as"
          + " codes (pre-tokenized rows with \"codes\"); or import it with --image-tokenizer");
    }
    return image.encode(picture);
  }

  /** The codes as the grid the layout writes: square when it writes rows, else one row. */
  private int[][] rows(int[] codes) {
    int count = layout.codeIds().length;
    if (codes.length == 0) {
      throw new IllegalArgumentException("an image needs at least one code");
    }
    for (int p = 0; p < codes.length; p++) {
      if (codes[p] < 0 || codes[p] >= count) {
        throw new IllegalArgumentException("image code " + codes[p] + " at position " + p + " is outside layout '"
            + layout.layout().name() + "''s codebook [0, " + count + ")");
      }
    }
    if (image != null && codes.length != image.tokensPerImage()) {
      throw new IllegalArgumentException(codes.length + " image codes, but the image tokenizer (" + image.kind()
          + ") makes " + image.tokensPerImage() + " per image");
    }
    if (!layout.needsRows()) {
      return new int[][] {codes};
    }
    int side = (int) Math.round(Math.sqrt(codes.length));
    if (side * side != codes.length) {
      throw new IllegalArgumentException(codes.length + " image codes are not a square grid, and layout '"
          + layout.layout().name() + "' writes images row by row; give a square image's codes in raster order");
    }
    int[][] rows = new int[side][];
    for (int r = 0; r < side; r++) {
      rows[r] = Arrays.copyOfRange(codes, r * side, (r + 1) * side);
    }
    return rows;
  }

  private SequenceAppender start() {
    SequenceAppender seq = new SequenceAppender();
    if (bos.isPresent()) {
      seq.add(bos.getAsInt(), TokenRole.BOS);
    }
    return seq;
  }
}
