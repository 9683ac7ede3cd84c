package org.aia4j.inference.sequence;

import java.util.Arrays;
import org.aia4j.api.interaction.TokenRole;
import org.aia4j.api.model.Task;

/** Grows a sequence's token and role arrays together, then makes it a {@link TokenSequence}. */
final class SequenceAppender {
  private int[] tokens = new int[128];
  private TokenRole[] roles = new TokenRole[128];
  private int size;

  /** @return the position of the appended token */
  int add(int token, TokenRole role) {
    if (size == tokens.length) {
      tokens = Arrays.copyOf(tokens, size * 2);
      roles = Arrays.copyOf(roles, size * 2);
    }
    tokens[size] = token;
    roles[size] = role;
    return size++;
  }

  void add(int[] ids, TokenRole role) {
    for (int id : ids) {
      add(id, role);
    }
  }

  /** @return the number of tokens so far */
  int size() {
    return size;
  }

  int[] tokens() {
    return Arrays.copyOf(tokens, size);
  }

  /** Labels are the next tokens; loss on positions {@code [firstLoss, lastLoss]}. */
  TokenSequence build(Task task, int firstLoss, int lastLoss, boolean promptDropped) {
    if (firstLoss < 0 || lastLoss < firstLoss) {
      throw new IllegalArgumentException("a " + task.shortName() + " sequence needs a token before its target;"
          + " the layout writes nothing before it");
    }
    int[] ids = tokens();
    int[] labels = new int[size];
    System.arraycopy(ids, 1, labels, 0, size - 1);
    labels[size - 1] = TokenLayout.PAD;
    boolean[] loss = new boolean[size];
    Arrays.fill(loss, firstLoss, lastLoss + 1, true);
    return new TokenSequence(task, ids, labels, loss, Arrays.copyOf(roles, size), promptDropped);
  }
}
