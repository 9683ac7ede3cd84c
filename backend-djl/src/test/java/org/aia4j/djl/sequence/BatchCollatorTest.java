package org.aia4j.djl.sequence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.aia4j.api.interaction.InteractionRoles;
import org.aia4j.api.interaction.InteractionSets;
import org.aia4j.api.interaction.TokenRole;
import org.aia4j.api.model.Task;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.api.tokenizer.TextTokenizer;
import org.aia4j.inference.sequence.SequenceBuilder;
import org.aia4j.inference.sequence.TokenLayout;
import org.aia4j.inference.sequence.TokenSequence;
import org.aia4j.testkit.FakeTokenizers;
import org.junit.jupiter.api.Test;

class BatchCollatorTest {

  private final TextTokenizer text = FakeTokenizers.words("<unk>", "a", "red", "circle", "big");
  private final ImageTokenizer image = FakeTokenizers.patches(8);
  private final SequenceBuilder builder = new SequenceBuilder(TokenLayout.of(text, image), text, image);

  @Test
  void rightPadsWithPadAndNoLoss() {
    TokenSequence longer = builder.generation("a big red circle", new int[] {1, 2, 3, 4}, false);
    TokenSequence dropped = builder.generation("a big red circle", new int[] {5, 6, 7, 0}, true);
    try (NDManager manager = NDManager.newBaseManager("PyTorch");
        Batch batch = BatchCollator.collate(manager, List.of(longer, dropped))) {
      assertThat(batch.task()).isEqualTo(Task.GENERATION);
      assertThat(batch.tokens().getShape()).isEqualTo(new Shape(2, 12));
      assertThat(batch.tokens().getDataType()).isEqualTo(DataType.INT64);
      long[] tokens = batch.tokens().toLongArray();
      long[] row1 = java.util.Arrays.copyOfRange(tokens, 12, 24);
      assertThat(row1).containsExactly(1, 3, 26, 27, 28, 21, 4, 2, 0, 0, 0, 0);
      float[] loss = batch.lossMask().toFloatArray();
      assertThat(java.util.Arrays.copyOfRange(loss, 12, 24))
          .containsExactly(0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0);
      assertThat(batch.labels().toLongArray()[12 + 7]).isZero();
      assertThat(batch.promptDropped().toFloatArray()).containsExactly(0f, 1f);
      int[] roles = batch.roles().toIntArray();
      assertThat(roles[12 + 2]).isEqualTo(TokenRole.IMAGE.code());
      assertThat(roles[12 + 9]).isEqualTo(TokenRole.OTHER.code());
      // AIA sets for generation: Q = image, K = prompt text (+ <bos> by flag).
      float[] q = batch.interactionSets(new InteractionRoles(Task.GENERATION, false)).queryMask(manager).toFloatArray();
      assertThat(java.util.Arrays.copyOfRange(q, 0, 12)).containsExactly(0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0);
      float[] k = batch.interactionSets(new InteractionRoles(Task.GENERATION, false)).keyMask(manager).toFloatArray();
      assertThat(java.util.Arrays.copyOfRange(k, 0, 12)).containsExactly(0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0);
      assertThat(batch.interactionSets(InteractionRoles.of(Task.GENERATION)).keyMask(manager).toFloatArray()[0]).isEqualTo(1f);
      assertThat(java.util.Arrays.copyOfRange(k, 12, 24)).containsOnly(0f);
    }
  }

  @Test
  void understandingSetsFixedLengthAndErrors() {
    TokenSequence u = builder.understanding(new int[] {1, 1, 2, 2}, "a", "red");
    TokenSequence g = builder.generation("a", new int[] {1, 1, 2, 2}, false);
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      try (Batch batch = BatchCollator.collate(manager, List.of(u), 16)) {
        assertThat(batch.length()).isEqualTo(16);
        // <bos> <boi> i i i i <eoi> a <answer> red <eos>
        InteractionSets sets = batch.interactionSets(InteractionRoles.of(Task.UNDERSTANDING));
        assertThat(sets.queryMask(manager).toFloatArray()[9]).isEqualTo(1f);
        assertThat(sets.keyMask(manager).toFloatArray()).containsExactly(0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
      }
      assertThatThrownBy(() -> BatchCollator.collate(manager, List.of(u, g)))
          .hasMessageContaining("A batch holds one task: sequence 0 is UNDERSTANDING, sequence 1 is GENERATION");
      assertThatThrownBy(() -> BatchCollator.collate(manager, List.of(u), 5))
          .hasMessageContaining("Sequence 0 has 11 tokens, more than the batch length 5");
      assertThatThrownBy(() -> BatchCollator.collate(manager, List.of()))
          .hasMessageContaining("empty");
    }
  }
}
