package org.aia4j.inference.sequence;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.aia4j.api.tokenizer.TextTokenizer;

/**
 * How a model writes an image into its token stream, as data: which ids are its image codes, the
 * markers around an image, the separators inside it and the templates its tasks use. A preset
 * ({@code aia4j}, {@code emu3}, {@code chameleon}) or a JSON file of the same fields; {@link
 * #resolve} checks it against a model's tokenizer and vocabulary and turns every marker into ids.
 *
 * <p>An image of {@code H x W} codes is written as
 *
 * <pre>
 *   begin...  [size prefix "{h}*{w}", tokenized]  afterSize...  (row codes  [rowEnd])^H  [frameEnd]  end...
 * </pre>
 *
 * <p>Markers are token strings of the model's tokenizer, or {@code #N} for the id N itself.
 *
 * @param name the layout's name, e.g. {@code emu3}
 * @param codes where the image codes are: code {@code c} is id {@code firstId + c}, or the token
 *     {@code String.format(tokenPattern, c)}
 * @param begin the markers that open an image
 * @param sizePrefix a text written after {@code begin} with {@code {h}} and {@code {w}} replaced by
 *     the grid's height and width (Emu3's {@code "{h}*{w}"}), or null
 * @param afterSize markers between the size prefix and the first row, may be empty
 * @param rowEnd the marker after each row (Emu3's end-of-line), or null
 * @param frameEnd the marker after the last row (Emu3's end-of-frame), or null
 * @param end the markers that close an image
 * @param understandingTemplate the prompt of a question about an image, with {@code {image}} and
 *     {@code {question}} in it, or null
 * @param generationTemplate the prompt that asks for an image, with {@code {prompt}}, or null
 * @param unconditionalPrompt the prompt classifier-free guidance's unconditional row uses, or null
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record ImageLayout(
    @JsonProperty("name") String name,
    @JsonProperty("codes") Codes codes,
    @JsonProperty("begin") List<String> begin,
    @JsonProperty("size_prefix") String sizePrefix,
    @JsonProperty("after_size") List<String> afterSize,
    @JsonProperty("row_end") String rowEnd,
    @JsonProperty("frame_end") String frameEnd,
    @JsonProperty("end") List<String> end,
    @JsonProperty("understanding_template") String understandingTemplate,
    @JsonProperty("generation_template") String generationTemplate,
    @JsonProperty("unconditional_prompt") String unconditionalPrompt) {

  /** The presets shipped with aia4j as files, by name; {@code aia4j}'s own comes from {@link #aia4j}. */
  public static final List<String> PRESETS = List.of("emu3", "chameleon");

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** Chameleon's code tokens: {@code IMGIMG}, the code's decimal digits as letters A-J, one more character. */
  public static final String CHAMELEON_SCHEME = "chameleon-imgimg";

  /**
   * Where the image codes are in the vocabulary: exactly one of the three ways.
   *
   * @param count the codebook size
   * @param firstId the id of code 0, codes contiguous; or null
   * @param tokenPattern a {@link String#format} pattern giving code {@code c}'s token (Emu3's
   *     {@code <|visual token %06d|>}), or null
   * @param scheme a naming scheme the tokenizer's vocabulary is scanned for ({@value
   *     #CHAMELEON_SCHEME}), or null
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Codes(@JsonProperty("count") int count, @JsonProperty("first_id") Integer firstId,
      @JsonProperty("token_pattern") String tokenPattern, @JsonProperty("scheme") String scheme) {}

  /** Checks the fields that do not need a tokenizer. */
  public ImageLayout {
    Objects.requireNonNull(name, "name");
    if (codes == null) {
      throw new IllegalArgumentException("layout '" + name + "': codes is missing (count and first_id or token_pattern)");
    }
    if (codes.count() < 1) {
      throw new IllegalArgumentException("layout '" + name + "': codes.count must be >= 1, got " + codes.count());
    }
    int ways = (codes.firstId() != null ? 1 : 0) + (codes.tokenPattern() != null ? 1 : 0) + (codes.scheme() != null ? 1 : 0);
    if (ways != 1) {
      throw new IllegalArgumentException("layout '" + name + "': codes needs exactly one of first_id, token_pattern"
          + " and scheme");
    }
    if (codes.scheme() != null && !codes.scheme().equals(CHAMELEON_SCHEME)) {
      throw new IllegalArgumentException("layout '" + name + "': codes.scheme '" + codes.scheme() + "' is unknown; known: "
          + CHAMELEON_SCHEME);
    }
    begin = List.copyOf(begin == null ? List.of() : begin);
    afterSize = List.copyOf(afterSize == null ? List.of() : afterSize);
    end = List.copyOf(end == null ? List.of() : end);
    if (understandingTemplate != null
        && !(understandingTemplate.contains("{image}") && understandingTemplate.contains("{question}"))) {
      throw new IllegalArgumentException("layout '" + name + "': understanding_template must hold {image} and {question}");
    }
    if (generationTemplate != null && !generationTemplate.contains("{prompt}")) {
      throw new IllegalArgumentException("layout '" + name + "': generation_template must hold {prompt}");
    }
  }

  /**
   * aia4j's own layout ({@link TokenLayout}): {@code <boi>}, the codes after the text ids, {@code
   * <eoi>}; no separators, no size prefix.
   */
  public static ImageLayout aia4j(TokenLayout layout) {
    return new ImageLayout("aia4j", new Codes(layout.imageCodebookSize(), layout.imageOffset(), null, null),
        List.of("#" + TokenLayout.BOI), null, List.of(), null, null, List.of("#" + TokenLayout.EOI), null, null, null);
  }

  /**
   * A preset by name, or a JSON file.
   *
   * @throws IOException naming the file or listing the presets
   */
  public static ImageLayout load(String nameOrFile) throws IOException {
    String preset = nameOrFile.toLowerCase(Locale.ROOT);
    if (preset.equals("aia4j")) {
      throw new IllegalArgumentException("the aia4j layout follows from a checkpoint's own tokenizers; an imported"
          + " model needs its own: " + String.join(", ", PRESETS) + " or a layout JSON file");
    }
    if (PRESETS.contains(preset)) {
      try (InputStream in = ImageLayout.class.getResourceAsStream("/org/aia4j/inference/layouts/" + preset + ".json")) {
        return JSON.readValue(Objects.requireNonNull(in, preset), ImageLayout.class);
      }
    }
    Path file = Path.of(nameOrFile);
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(nameOrFile, null, "neither a layout preset (" + String.join(", ", PRESETS)
          + ") nor a layout JSON file");
    }
    try {
      return JSON.readValue(file.toFile(), ImageLayout.class);
    } catch (JsonProcessingException e) {
      Throwable cause = e.getCause();
      throw new IOException(file + ": not a valid layout: " + (cause instanceof IllegalArgumentException
          ? cause.getMessage() : e.getOriginalMessage()), e);
    }
  }

  /**
   * The layout with every marker as ids, checked against a model.
   *
   * @param codeIds code {@code c}'s id
   * @param begin ids that open an image
   * @param afterSize ids after the size prefix
   * @param rowEnd the id after each row, or -1
   * @param frameEnd the id after the last row, or -1
   * @param end ids that close an image
   */
  public record Resolved(ImageLayout layout, int[] codeIds, int[] begin, int[] afterSize, int rowEnd, int frameEnd,
      int[] end) {

    /** Receives an image's ids in order, each saying whether it is an image code. */
    @FunctionalInterface
    public interface ImageSink {
      /**
       * @param id the next id
       * @param code whether it is an image code (else a marker, separator or size-prefix token)
       */
      void accept(int id, boolean code);
    }

    /** @return the ids of an image of {@code rows} code rows, as the layout writes it */
    public int[] image(int[][] rows, TextTokenizer text) {
      List<Integer> out = new ArrayList<>();
      image(rows, text, (id, code) -> out.add(id));
      return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Writes an image of {@code rows} code rows as the layout says, telling {@code sink} each id.
     *
     * @throws IllegalArgumentException for a code outside the codebook
     */
    public void image(int[][] rows, TextTokenizer text, ImageSink sink) {
      for (int id : begin) {
        sink.accept(id, false);
      }
      if (layout.sizePrefix() != null) {
        String size = layout.sizePrefix().replace("{h}", Integer.toString(rows.length))
            .replace("{w}", Integer.toString(rows.length == 0 ? 0 : rows[0].length));
        for (int id : text.encode(size)) {
          sink.accept(id, false);
        }
      }
      for (int id : afterSize) {
        sink.accept(id, false);
      }
      for (int[] row : rows) {
        for (int code : row) {
          if (code < 0 || code >= codeIds.length) {
            throw new IllegalArgumentException("image code " + code + " is outside the codebook [0, " + codeIds.length + ")");
          }
          sink.accept(codeIds[code], true);
        }
        if (rowEnd >= 0) {
          sink.accept(rowEnd, false);
        }
      }
      if (frameEnd >= 0) {
        sink.accept(frameEnd, false);
      }
      for (int id : end) {
        sink.accept(id, false);
      }
    }

    /** @return whether images of this layout are written row by row (a row end or a size prefix), so need a grid */
    public boolean needsRows() {
      return rowEnd >= 0 || layout.sizePrefix() != null;
    }

    /** @return whether {@code id} is an image code */
    public boolean isCode(int id) {
      return codeIndex(id) >= 0;
    }

    /** @return the code of {@code id}, or -1 when it is none */
    public int codeIndex(int id) {
      if (layout.codes().firstId() != null) { // contiguous: no search
        int code = id - layout.codes().firstId();
        return code >= 0 && code < codeIds.length ? code : -1;
      }
      for (int c = 0; c < codeIds.length; c++) {
        if (codeIds[c] == id) {
          return c;
        }
      }
      return -1;
    }
  }

  /**
   * Resolves the markers through the model's tokenizer and checks them against its vocabulary.
   *
   * @param text the model's text tokenizer
   * @param vocabSize the model's vocabulary size
   * @throws IllegalArgumentException naming the layout and what is wrong: image codes outside the
   *     vocabulary, a marker the tokenizer does not have, a marker that is also an image code
   */
  public Resolved resolve(TextTokenizer text, int vocabSize) {
    int[] codeIds = new int[codes.count()];
    if (codes.firstId() != null) {
      long last = (long) codes.firstId() + codes.count() - 1;
      if (codes.firstId() < 0 || last >= vocabSize) {
        throw new IllegalArgumentException("layout '" + name + "' puts its " + codes.count() + " image codes at ids "
            + codes.firstId() + ".." + last + ", outside the model's vocabulary of " + vocabSize + " (ids 0.."
            + (vocabSize - 1) + ")");
      }
      for (int c = 0; c < codeIds.length; c++) {
        codeIds[c] = codes.firstId() + c;
      }
    } else if (codes.tokenPattern() != null) {
      for (int c = 0; c < codeIds.length; c++) {
        String token = String.format(Locale.ROOT, codes.tokenPattern(), c);
        codeIds[c] = marker(token, "image code " + c, text, vocabSize);
      }
    } else {
      chameleonCodes(codeIds, text, vocabSize);
    }
    Resolved resolved = new Resolved(this, codeIds, markers(begin, "begin", text, vocabSize),
        markers(afterSize, "after_size", text, vocabSize), rowEnd == null ? -1 : marker(rowEnd, "row_end", text, vocabSize),
        frameEnd == null ? -1 : marker(frameEnd, "frame_end", text, vocabSize), markers(end, "end", text, vocabSize));
    List<int[]> markerIds = List.of(resolved.begin(), resolved.afterSize(), new int[] {resolved.rowEnd()},
        new int[] {resolved.frameEnd()}, resolved.end());
    for (int[] ids : markerIds) {
      for (int id : ids) {
        if (id >= 0 && resolved.isCode(id)) {
          throw new IllegalArgumentException("layout '" + name + "': marker id " + id + " is also image code "
              + resolved.codeIndex(id));
        }
      }
    }
    return resolved;
  }

  /** Scans the vocabulary for {@code IMGIMG<letters><char>} tokens: A=0 .. J=9, the last character dropped. */
  private void chameleonCodes(int[] codeIds, TextTokenizer text, int vocabSize) {
    java.util.Arrays.fill(codeIds, -1);
    int ids = Math.min(vocabSize, text.vocabularySize());
    for (int id = 0; id < ids; id++) {
      String token = text.token(id);
      if (!token.startsWith("IMGIMG") || token.length() < 8) {
        continue;
      }
      String letters = token.substring(6, token.length() - 1);
      if (!letters.chars().allMatch(c -> c >= 'A' && c <= 'J')) {
        continue;
      }
      long code = 0;
      for (char c : letters.toCharArray()) {
        code = code * 10 + (c - 'A');
      }
      if (code < codeIds.length) {
        codeIds[(int) code] = id;
      }
    }
    for (int c = 0; c < codeIds.length; c++) {
      if (codeIds[c] < 0) {
        throw new IllegalArgumentException("layout '" + name + "': the tokenizer has no IMGIMG token for image code " + c
            + " (is this a Chameleon tokenizer?)");
      }
    }
  }

  private int[] markers(List<String> tokens, String field, TextTokenizer text, int vocabSize) {
    int[] ids = new int[tokens.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = marker(tokens.get(i), field, text, vocabSize);
    }
    return ids;
  }

  private int marker(String token, String field, TextTokenizer text, int vocabSize) {
    int id;
    if (token.startsWith("#") && token.length() > 1 && token.substring(1).chars().allMatch(Character::isDigit)) {
      id = Integer.parseInt(token.substring(1));
    } else {
      id = text.id(token);
      if (id == text.unknownId() && !token.equals(text.token(text.unknownId()))) {
        throw new IllegalArgumentException("layout '" + name + "': " + field + " token '" + token
            + "' is not in the model's tokenizer (is this the model's layout?)");
      }
    }
    if (id < 0 || id >= vocabSize) {
      throw new IllegalArgumentException("layout '" + name + "': " + field + " id " + id
          + " is outside the model's vocabulary of " + vocabSize);
    }
    return id;
  }
}
