package org.aia4j.api.tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Turns text into ids in {@code [0, vocabularySize)} and back. Text the vocabulary cannot cover
 * maps to {@link #unknownId()} instead of failing, so any prompt can be encoded.
 */
public interface TextTokenizer {

  /** @return the provider name that loads this tokenizer back, e.g. {@code word} */
  String kind();

  /** @return the version of this kind's on-disk format */
  int version();

  /** @return the number of ids, specials included */
  int vocabularySize();

  /** @return the id of the unknown token */
  int unknownId();

  /**
   * @param text any text
   * @return its ids, without {@code <bos>}/{@code <eos>}; the caller adds specials
   */
  int[] encode(String text);

  /**
   * The ids of {@code text} as a model reads a prompt on its own, with the specials this
   * tokenizer's own configuration adds (a Hugging Face tokenizer: {@code tokenizer_config.json}'s
   * {@code add_bos_token} / {@code add_eos_token}, else its {@code tokenizer.json} post-processor).
   * aia4j's own tokenizers leave specials to the token layout, so the default is {@link #encode}.
   *
   * @param text any text
   * @return its ids, specials included where the tokenizer's configuration says so
   */
  default int[] encodeWithSpecials(String text) {
    return encode(text);
  }

  /**
   * @return the id that ends a text continuation ({@code eos_token} of a Hugging Face
   *     tokenizer), if this tokenizer defines one; aia4j's tokenizers leave it to the token layout
   */
  default OptionalInt endOfTextId() {
    return OptionalInt.empty();
  }

  /**
   * @return how the model writes a conversation, if its tokenizer says ({@code chat_template} of
   *     a Hugging Face tokenizer); aia4j's own tokenizers have none
   */
  default Optional<ChatTemplate> chatTemplate() {
    return Optional.empty();
  }

  /**
   * @param ids ids in {@code [0, vocabularySize)}
   * @return the text they spell
   * @throws IllegalArgumentException on an out-of-range id
   */
  String decode(int[] ids);

  /**
   * @param id an id in {@code [0, vocabularySize)}
   * @return its token string
   * @throws IllegalArgumentException on an out-of-range id
   */
  String token(int id);

  /**
   * @param token a token string
   * @return its id, or {@link #unknownId()} if the vocabulary lacks it
   */
  int id(String token);

  /**
   * Writes everything {@link TextTokenizerProvider#load} needs into {@code dir}.
   *
   * @param dir the directory, created if missing
   * @throws IOException if it cannot be written
   */
  void save(Path dir) throws IOException;
}
