package org.aia4j.api.interaction;

/**
 * What a position of an input sequence holds, as far as the interaction statistic cares. The
 * model fills one role per position from its own layout, so this module needs no token ids.
 * Every code is stable (written into role arrays); padding and specials ({@code <boi>}, {@code
 * <eoi>}, {@code <answer>}, {@code <eos>}, {@code <pad>}) are {@link #OTHER}, which is code 0, so
 * a zero-filled role array is all OTHER.
 */
public enum TokenRole {
  /** Padding, specials and anything else that is neither a query nor a key. */
  OTHER(0),
  /** The beginning-of-sequence token; counted as prompt text in generation when asked. */
  BOS(1),
  /** Text: a generation prompt's tokens, an understanding question's tokens. */
  TEXT(2),
  /** An image (VQ) token. */
  IMAGE(3),
  /** A token of the answer of an understanding sample. */
  ANSWER(4);

  private final int code;

  TokenRole(int code) {
    this.code = code;
  }

  /** @return the role's code in role arrays */
  public int code() {
    return code;
  }

  /**
   * @param code a role code
   * @return the role with that code
   * @throws IllegalArgumentException for an unknown code
   */
  public static TokenRole ofCode(int code) {
    for (TokenRole role : values()) {
      if (role.code == code) {
        return role;
      }
    }
    throw new IllegalArgumentException(
        "Unknown token role code " + code + ". Known: 0 OTHER, 1 BOS, 2 TEXT, 3 IMAGE, 4 ANSWER.");
  }
}
