package org.aia4j.api.interaction;

import java.util.Objects;
import org.aia4j.api.model.Task;

/**
 * Which positions are the queries {@code Q} and which the keys {@code K} of the interaction
 * statistic {@code I_l} (DESIGN section 3), by role: for generation (text to image) {@code Q} =
 * the {@link TokenRole#IMAGE} positions and {@code K} = the prompt's {@link TokenRole#TEXT}
 * positions, plus {@link TokenRole#BOS} when {@code bosAsText}; for understanding (image to text)
 * {@code Q} = the answer's rows ({@link AnswerQueries}) and {@code K} = the {@link TokenRole#IMAGE}
 * positions. The AIA loss and every backend's profiler read the sets from here.
 *
 * @param task the task
 * @param bosAsText whether BOS is a key of a generation sample (ignored for understanding)
 * @param answerQueries which rows are the queries of an understanding sample (ignored for
 *     generation)
 */
public record InteractionRoles(Task task, boolean bosAsText, AnswerQueries answerQueries) {
  /** BOS counts as prompt text unless said otherwise, as in the paper's reference code. */
  public static final boolean DEFAULT_BOS_AS_TEXT = true;

  public InteractionRoles {
    Objects.requireNonNull(task, "task must not be null");
    Objects.requireNonNull(answerQueries, "answerQueries must not be null");
  }

  /** The sets of {@code task} with the default understanding queries ({@link AnswerQueries#DEFAULT}). */
  public InteractionRoles(Task task, boolean bosAsText) {
    this(task, bosAsText, AnswerQueries.DEFAULT);
  }

  /** @return the sets of {@code task} with the default BOS handling and queries */
  public static InteractionRoles of(Task task) {
    return new InteractionRoles(task, DEFAULT_BOS_AS_TEXT);
  }

  /**
   * @param roles one sample's roles
   * @param t a position of it
   * @return whether position {@code t} is a query of this task
   */
  public boolean isQueryAt(int[] roles, int t) {
    return switch (task) {
      case GENERATION -> roles[t] == TokenRole.IMAGE.code();
      case UNDERSTANDING -> switch (answerQueries) {
        case TOKENS -> roles[t] == TokenRole.ANSWER.code();
        // The row at t predicts token t + 1: the <answer> marker and every answer token but the last.
        case PREDICTORS -> t + 1 < roles.length && roles[t + 1] == TokenRole.ANSWER.code();
      };
    };
  }

  /** @return whether a position with that role is a key of this task */
  public boolean isKey(TokenRole role) {
    return switch (task) {
      case GENERATION -> role == TokenRole.TEXT || (bosAsText && role == TokenRole.BOS);
      case UNDERSTANDING -> role == TokenRole.IMAGE;
    };
  }

  /**
   * Builds the query and key sets of a batch.
   *
   * @param roles {@code (B, T)} {@link TokenRole} codes, every row of the same length {@code T}
   *     (pad with {@link TokenRole#OTHER})
   * @return the sets, as masks and as gathered query indices
   * @throws IllegalArgumentException for an empty batch, ragged rows or unknown codes
   */
  public InteractionSets sets(int[][] roles) {
    Objects.requireNonNull(roles, "roles must not be null");
    if (roles.length == 0 || roles[0].length == 0) {
      throw new IllegalArgumentException("roles must be (B, T) with B, T > 0");
    }
    int batch = roles.length;
    int length = roles[0].length;
    boolean[] keyRole = new boolean[TokenRole.values().length];
    for (TokenRole role : TokenRole.values()) {
      keyRole[role.code()] = isKey(role);
    }
    float[] queryMask = new float[batch * length];
    float[] keyMask = new float[batch * length];
    int[] counts = new int[batch];
    for (int b = 0; b < batch; b++) {
      if (roles[b].length != length) {
        throw new IllegalArgumentException(
            "roles[" + b + "] has " + roles[b].length + " positions, roles[0] has " + length);
      }
      for (int t = 0; t < length; t++) {
        int code = roles[b][t];
        if (code < 0 || code >= keyRole.length) {
          TokenRole.ofCode(code); // throws with the list of codes
        }
        if (isQueryAt(roles[b], t)) {
          queryMask[b * length + t] = 1f;
          counts[b]++;
        }
        if (keyRole[code]) {
          keyMask[b * length + t] = 1f;
        }
      }
    }
    int queryMax = 1;
    for (int count : counts) {
      queryMax = Math.max(queryMax, count);
    }
    long[] queryIndex = new long[batch * queryMax];
    float[] queryValid = new float[batch * queryMax];
    for (int b = 0; b < batch; b++) {
      int i = 0;
      for (int t = 0; t < length; t++) {
        if (queryMask[b * length + t] != 0f) {
          queryIndex[b * queryMax + i] = t;
          queryValid[b * queryMax + i] = 1f;
          i++;
        }
      }
      // Padding entries point at position 0 with weight 0; their rows are computed and ignored.
    }
    return new InteractionSets(batch, length, queryMax, queryMask, keyMask, queryIndex, queryValid);
  }
}
