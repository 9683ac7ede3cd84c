package org.aia4j.tokenizers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.aia4j.api.tokenizer.TextTokenizer;

/**
 * A word-level text tokenizer over a vocabulary fitted from a corpus.
 *
 * <p>Text is <em>normalised</em> before it is split: lower-cased, then cut into words (letters,
 * marks and digits, with inner hyphens or apostrophes: {@code top-left}, {@code it's}) and single
 * punctuation marks ({@code . , ? : ; !} and any other non-space symbol), each its own token.
 * {@link #decode} joins tokens with single spaces, except none before closing marks (<code>. , ?
 * : ; ! ) ] &#125; %</code>) and none after opening ones (<code>( [ &#123;</code>), so {@code decode(encode(s))}
 * equals {@link #normalise normalise(s)} whenever every word of {@code s} is in the vocabulary.
 * Words outside it encode as {@value #UNKNOWN} (id {@value #UNKNOWN_ID}), and decode as that
 * string.
 *
 * <pre>{@code
 * WordTokenizer words = WordTokenizer.fit(List.of("A red circle.", "Is it left of the cube?"));
 * int[] ids = words.encode("A red cube?");   // [a, red, cube, ?]
 * words.decode(ids);                         // "a red cube?"
 * }</pre>
 *
 * <p>The model's special tokens ({@code <bos> <eos> <pad> <boi> <eoi>} and task markers) are not
 * this tokenizer's: its ids are text only, and the model's vocabulary layer composes them with
 * image codes and specials into one vocabulary. ({@value #UNKNOWN} is the one reserved entry;
 * since {@code <} and {@code >} are punctuation, no text can spell it as a single word.)
 * Instances are immutable and thread-safe.
 */
public final class WordTokenizer implements TextTokenizer {

  /** The provider name and {@code kind} field of this tokenizer's file. */
  public static final String KIND = "word";
  /** The on-disk format version {@link #save} writes. */
  public static final int VERSION = 1;
  /** The versions {@link WordTokenizerProvider} reads. */
  static final Set<Integer> SUPPORTED_VERSIONS = Set.of(1);
  /** The file {@link #save} writes into a checkpoint directory. */
  public static final String FILE_NAME = "text-tokenizer.json";
  /** The unknown token. */
  public static final String UNKNOWN = "<unk>";
  /** The unknown token's fixed id. */
  public static final int UNKNOWN_ID = 0;

  private static final Pattern TOKEN =
      Pattern.compile("[\\p{L}\\p{M}\\p{N}]+(?:[-'’][\\p{L}\\p{M}\\p{N}]+)*|\\S");
  private static final String NO_SPACE_BEFORE = ".,?:;!)]}%";
  private static final String NO_SPACE_AFTER = "([{";

  /**
   * How a vocabulary was fitted, saved with it.
   *
   * @param minFrequency the least number of occurrences a word needed to enter the vocabulary
   * @param documents the texts of the corpus
   * @param tokens the tokens in them
   */
  public record Provenance(int minFrequency, long documents, long tokens) {

    /** Provenance of a vocabulary not made by {@link #fit}. */
    public static Provenance given() {
      return new Provenance(0, 0, 0);
    }
  }

  private final List<String> vocabulary;
  private final Map<String, Integer> ids;
  private final Provenance provenance;
  private final boolean lowercase;

  /**
   * @param vocabulary {@value #UNKNOWN} first, then distinct normalised tokens (each one token
   *     under {@link #tokens})
   * @param provenance how it was fitted
   * @throws IllegalArgumentException on any other vocabulary
   */
  public WordTokenizer(List<String> vocabulary, Provenance provenance) {
    this(vocabulary, provenance, true);
  }

  /**
   * @param vocabulary {@value #UNKNOWN} first, then distinct normalised tokens
   * @param provenance how it was fitted
   * @param lowercase whether text is lower-cased before splitting; a case-preserving vocabulary
   *     keeps "A" (an option letter) apart from "a" (an article), which MMBench's answer
   *     extraction needs, since it reads upper-case letters only
   * @throws IllegalArgumentException on any other vocabulary
   */
  public WordTokenizer(List<String> vocabulary, Provenance provenance, boolean lowercase) {
    this.lowercase = lowercase;
    if (vocabulary.isEmpty() || !UNKNOWN.equals(vocabulary.get(UNKNOWN_ID))) {
      throw new IllegalArgumentException(
          "A vocabulary starts with " + UNKNOWN + " (id " + UNKNOWN_ID + "), got "
              + (vocabulary.isEmpty() ? "an empty one" : "'" + vocabulary.get(0) + "' first"));
    }
    Map<String, Integer> index = new HashMap<>();
    for (int id = 0; id < vocabulary.size(); id++) {
      String token = vocabulary.get(id);
      if (id > UNKNOWN_ID && !List.of(Objects.requireNonNullElse(token, "")).equals(tokens(token, lowercase))) {
        throw new IllegalArgumentException(
            "Vocabulary entry " + id + " '" + token + "' is not one normalised token");
      }
      if (index.putIfAbsent(token, id) != null) {
        throw new IllegalArgumentException(
            "Vocabulary entry " + id + " '" + token + "' repeats entry " + index.get(token));
      }
    }
    this.vocabulary = List.copyOf(vocabulary);
    this.ids = Map.copyOf(index);
    this.provenance = Objects.requireNonNull(provenance, "provenance");
  }

  /** Fits a vocabulary holding every token of {@code corpus}; see {@link #fit(Iterable, int)}. */
  public static WordTokenizer fit(Iterable<String> corpus) {
    return fit(corpus, 1);
  }

  /**
   * Fits a vocabulary on {@code corpus}: {@value #UNKNOWN}, then every token seen at least {@code
   * minFrequency} times, most frequent first, ties in alphabetical order (so the result does not
   * depend on the corpus order).
   *
   * @param corpus texts, normalised as {@link #normalise} does
   * @param minFrequency the least number of occurrences a token needs, at least 1
   * @return the tokenizer
   */
  public static WordTokenizer fit(Iterable<String> corpus, int minFrequency) {
    return fit(corpus, minFrequency, true);
  }

  /**
   * Like {@link #fit(Iterable, int)}, choosing whether text is lower-cased.
   *
   * @param lowercase false keeps case, so "A" and "a" are different tokens
   */
  public static WordTokenizer fit(Iterable<String> corpus, int minFrequency, boolean lowercase) {
    if (minFrequency < 1) {
      throw new IllegalArgumentException("minFrequency must be at least 1, got " + minFrequency);
    }
    Map<String, Long> counts = new HashMap<>();
    long documents = 0;
    long total = 0;
    for (String text : corpus) {
      for (String token : tokens(text, lowercase)) {
        counts.merge(token, 1L, Long::sum);
        total++;
      }
      documents++;
    }
    List<String> vocabulary = new ArrayList<>();
    vocabulary.add(UNKNOWN);
    counts.entrySet().stream()
        .filter(e -> e.getValue() >= minFrequency)
        .sorted(
            Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> vocabulary.add(e.getKey()));
    return new WordTokenizer(vocabulary, new Provenance(minFrequency, documents, total), lowercase);
  }

  /**
   * @param text any text, or null (no tokens)
   * @return its normalised tokens: lower-cased words and single punctuation marks
   */
  public static List<String> tokens(String text) {
    return tokens(text, true);
  }

  /**
   * @param text any text, or null (no tokens)
   * @param lowercase whether to lower-case first
   * @return its words and single punctuation marks
   */
  public static List<String> tokens(String text, boolean lowercase) {
    List<String> tokens = new ArrayList<>();
    if (text == null) {
      return tokens;
    }
    Matcher matcher = TOKEN.matcher(lowercase ? text.toLowerCase(Locale.ROOT) : text);
    while (matcher.find()) {
      tokens.add(matcher.group());
    }
    return tokens;
  }

  /**
   * @param text any text
   * @return the text as {@link #decode} writes it: its {@link #tokens} joined by the spacing rule
   */
  public static String normalise(String text) {
    return join(tokens(text));
  }

  private static String join(List<String> tokens) {
    StringBuilder out = new StringBuilder();
    String previous = null;
    for (String token : tokens) {
      boolean space =
          previous != null
              && !(token.length() == 1 && NO_SPACE_BEFORE.indexOf(token.charAt(0)) >= 0)
              && !(previous.length() == 1 && NO_SPACE_AFTER.indexOf(previous.charAt(0)) >= 0);
      if (space) {
        out.append(' ');
      }
      out.append(token);
      previous = token;
    }
    return out.toString();
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
  public int vocabularySize() {
    return vocabulary.size();
  }

  @Override
  public int unknownId() {
    return UNKNOWN_ID;
  }

  /** @return the vocabulary in id order, {@value #UNKNOWN} first; immutable */
  public List<String> vocabulary() {
    return vocabulary;
  }

  /** @return whether text is lower-cased before it is split */
  public boolean lowercase() {
    return lowercase;
  }

  /** @return how this vocabulary was fitted */
  public Provenance provenance() {
    return provenance;
  }

  @Override
  public int[] encode(String text) {
    List<String> tokens = tokens(text, lowercase);
    int[] out = new int[tokens.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ids.getOrDefault(tokens.get(i), UNKNOWN_ID);
    }
    return out;
  }

  @Override
  public String decode(int[] ids) {
    List<String> tokens = new ArrayList<>(ids.length);
    for (int i = 0; i < ids.length; i++) {
      checkId(ids[i], " at position " + i);
      tokens.add(vocabulary.get(ids[i]));
    }
    return join(tokens);
  }

  @Override
  public String token(int id) {
    checkId(id, "");
    return vocabulary.get(id);
  }

  @Override
  public int id(String token) {
    return token == null ? UNKNOWN_ID : ids.getOrDefault(token, UNKNOWN_ID);
  }

  private void checkId(int id, String where) {
    if (id < 0 || id >= vocabulary.size()) {
      throw new IllegalArgumentException(
          "Text id " + id + where + " is outside the vocabulary [0, " + vocabulary.size() + ")");
    }
  }

  /**
   * Writes {@value #FILE_NAME}: {@code kind}, {@code version}, {@code lowercase} (true when
   * missing), {@code unknownToken}, {@code provenance} ({@code minFrequency}, {@code
   * documents}, {@code tokens}) and {@code vocabulary}, the tokens in id order. Atomic: a
   * temporary file renamed over the old one.
   */
  @Override
  public void save(Path dir) throws IOException {
    ObjectNode root = TokenizerFile.header(KIND, VERSION);
    root.put("lowercase", lowercase);
    root.put("unknownToken", UNKNOWN);
    ObjectNode made = root.putObject("provenance");
    made.put("minFrequency", provenance.minFrequency());
    made.put("documents", provenance.documents());
    made.put("tokens", provenance.tokens());
    ArrayNode words = root.putArray("vocabulary");
    vocabulary.forEach(words::add);
    TokenizerFile.writeAtomically(dir, FILE_NAME, root);
  }

  /** Reads what {@link #save} wrote; {@link WordTokenizerProvider#load} is the public way. */
  static WordTokenizer read(Path dir) throws IOException {
    TokenizerFile file = TokenizerFile.read(dir, FILE_NAME, KIND, SUPPORTED_VERSIONS);
    String unknown = file.text("unknownToken");
    if (!UNKNOWN.equals(unknown)) {
      throw file.shape("unknownToken must be " + UNKNOWN + ", got '" + unknown + "'");
    }
    ArrayNode words = file.array("vocabulary");
    List<String> vocabulary = new ArrayList<>(words.size());
    for (int id = 0; id < words.size(); id++) {
      JsonNode word = words.get(id);
      if (!word.isTextual()) {
        throw file.shape("vocabulary entry " + id + " must be a string, got " + word);
      }
      vocabulary.add(word.textValue());
    }
    JsonNode made = file.optional("provenance");
    Provenance provenance =
        new Provenance(
            made.path("minFrequency").asInt(),
            made.path("documents").asLong(),
            made.path("tokens").asLong());
    try {
      return new WordTokenizer(vocabulary, provenance, file.optional("lowercase").asBoolean(true));
    } catch (IllegalArgumentException e) {
      throw file.shape(e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "WordTokenizer[" + vocabulary.size() + " tokens]";
  }
}
