package org.aia4j.djl.sequence;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.aia4j.api.interaction.TokenRole;
import org.aia4j.inference.sequence.TokenSequence;

/**
 * Pads sequences of one task into a {@link Batch}. Padding goes right, with {@code <pad>} and
 * no loss; under causal attention no real position ever attends to a padding position, so right
 * padding leaves every real position's logits and attention exactly as unpadded.
 */
public final class BatchCollator {

  private BatchCollator() {}

  /**
   * Pads to the longest sequence.
   *
   * @param manager owns the batch's arrays
   * @param sequences at least one, all of one task
   * @return the batch
   */
  public static Batch collate(NDManager manager, List<TokenSequence> sequences) {
    int longest = 0;
    for (TokenSequence s : sequences) {
      longest = Math.max(longest, s.length());
    }
    return collate(manager, sequences, longest);
  }

  /**
   * Pads to a fixed length, e.g. to keep array shapes stable from step to step.
   *
   * @param manager owns the batch's arrays
   * @param sequences at least one, all of one task, none longer than {@code length}
   * @param length the padded length {@code T}
   * @return the batch
   * @throws IllegalArgumentException for an empty list, mixed tasks or a sequence too long
   */
  public static Batch collate(NDManager manager, List<TokenSequence> sequences, int length) {
    if (sequences.isEmpty()) {
      throw new IllegalArgumentException("Cannot collate an empty list of sequences");
    }
    var task = sequences.get(0).task();
    int b = sequences.size();
    long[] tokens = new long[b * length];
    long[] labels = new long[b * length];
    float[] loss = new float[b * length];
    int[] roles = new int[b * length];
    float[] dropped = new float[b];
    for (int i = 0; i < b; i++) {
      TokenSequence s = sequences.get(i);
      if (s.task() != task) {
        throw new IllegalArgumentException(
            "A batch holds one task: sequence 0 is " + task + ", sequence " + i + " is " + s.task());
      }
      if (s.length() > length) {
        throw new IllegalArgumentException(
            "Sequence " + i + " has " + s.length() + " tokens, more than the batch length " + length);
      }
      int base = i * length;
      for (int t = 0; t < s.length(); t++) {
        tokens[base + t] = s.tokens()[t];
        labels[base + t] = s.labels()[t];
        loss[base + t] = s.lossMask()[t] ? 1f : 0f;
        roles[base + t] = s.roles()[t].code();
      }
      // Padding: <pad> = 0 and TokenRole.OTHER = 0, already there.
      dropped[i] = s.promptDropped() ? 1f : 0f;
    }
    Shape shape = new Shape(b, length);
    return new Batch(
        task,
        manager.create(tokens, shape),
        manager.create(labels, shape),
        manager.create(loss, shape),
        manager.create(roles, shape),
        manager.create(dropped, new Shape(b)),
        List.copyOf(sequences));
  }
}
