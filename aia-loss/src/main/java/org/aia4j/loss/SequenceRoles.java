package org.aia4j.loss;

import java.util.Objects;
import org.aia4j.api.model.Task;
import org.aia4j.inference.sequence.InteractionRoles;
import org.aia4j.inference.sequence.TokenRole;

/**
 * Which positions are the queries {@code Q} and which the keys {@code K} of the interaction
 * statistic (DESIGN section 3), from a role per position:
 *
 * <ul>
 *   <li>generation (text to image): {@code Q} = the {@link TokenRole#IMAGE} positions, {@code K}
 *       = the prompt's {@link TokenRole#TEXT} positions, plus {@link TokenRole#BOS} when {@code
 *       bosAsText} (the default, as in the paper's reference code);
 *   <li>understanding (image to text): {@code Q} = the {@link TokenRole#ANSWER} positions, {@code
 *       K} = the {@link TokenRole#IMAGE} positions.
 * </ul>
 *
 * <p>A role array describes the model's <em>input</em> sequence; query {@code q} is the attention
 * row of the position holding that token. Example, generation {@code <bos> a red square <boi>
 * i0..i63 <eoi> <eos>}: roles {@code BOS TEXT TEXT TEXT OTHER IMAGE*64 OTHER OTHER}.
 *
 * @param task the task whose sets are built
 * @param bosAsText whether BOS is a key of a generation sample (ignored for understanding)
 */
public record SequenceRoles(Task task, boolean bosAsText) {

  /** BOS counts as prompt text unless said otherwise, as in the paper's reference code. */
  public static final boolean DEFAULT_BOS_AS_TEXT = InteractionRoles.DEFAULT_BOS_AS_TEXT;

  public SequenceRoles {
    Objects.requireNonNull(task, "task must not be null");
  }

  /**
   * @param task the task
   * @return the sets with the default BOS handling
   */
  public static SequenceRoles of(Task task) {
    return new SequenceRoles(task, DEFAULT_BOS_AS_TEXT);
  }

  /** @return whether a position with that role is a query of this task ({@link InteractionRoles}) */
  public boolean isQuery(TokenRole role) {
    return new InteractionRoles(task, bosAsText).isQuery(role);
  }

  /** @return whether a position with that role is a key of this task ({@link InteractionRoles}) */
  public boolean isKey(TokenRole role) {
    return new InteractionRoles(task, bosAsText).isKey(role);
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
    boolean[] queryRole = new boolean[TokenRole.values().length];
    boolean[] keyRole = new boolean[TokenRole.values().length];
    for (TokenRole role : TokenRole.values()) {
      queryRole[role.code()] = isQuery(role);
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
        if (code < 0 || code >= queryRole.length) {
          TokenRole.ofCode(code); // throws with the list of codes
        }
        if (queryRole[code]) {
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
