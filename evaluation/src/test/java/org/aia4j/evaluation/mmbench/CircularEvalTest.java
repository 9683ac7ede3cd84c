package org.aia4j.evaluation.mmbench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CircularEvalTest {

  @Test
  void rotatesOptionsAndMovesTheAnswerAsVlmEvalKitDoes() {
    MmbenchQuestion q = question(7, "A", "teddy bear", "rabbit", "cat", "dog");

    List<MmbenchQuestion> copies = List.of(CircularEval.rotate(q, 0), CircularEval.rotate(q, 1),
        CircularEval.rotate(q, 2), CircularEval.rotate(q, 3));

    assertThat(copies).extracting(MmbenchQuestion::index).containsExactly(7L, 1_000_007L, 2_000_007L, 3_000_007L);
    assertThat(copies).extracting(MmbenchQuestion::answer).containsExactly("A", "D", "C", "B");
    assertThat(copies.get(1).options()).containsExactly(
        Map.entry("A", "rabbit"), Map.entry("B", "cat"), Map.entry("C", "dog"), Map.entry("D", "teddy bear"));
    assertThat(copies).allSatisfy(c -> {
      assertThat(c.options().get(c.answer())).isEqualTo("teddy bear");
      assertThat(c.image()).isSameAs(q.image());
      assertThat(c.group()).isEqualTo(7);
    });
    assertThat(copies).extracting(MmbenchQuestion::rotation).containsExactly(0, 1, 2, 3);
  }

  @Test
  void reproducesTheCopiesInAnOfficialFile() throws Exception {
    List<MmbenchQuestion> official = MmbenchTsv.read(Path.of("src/test/resources/mmbench/mmbench_dev_en_sample.tsv"))
        .rows();
    List<MmbenchQuestion> originals = official.stream().filter(r -> r.rotation() == 0).toList();

    assertThat(CircularEval.expand(originals)).containsExactlyInAnyOrderElementsOf(official);
  }

  @Test
  void expandsOriginalsFirstThenEachRotation() {
    MmbenchQuestion four = question(0, "C", "1", "2", "3", "4");
    MmbenchQuestion two = question(1, "B", "yes", "no");

    assertThat(CircularEval.expand(List.of(four, two))).extracting(MmbenchQuestion::index)
        .containsExactly(0L, 1L, 1_000_000L, 1_000_001L, 2_000_000L, 3_000_000L);
  }

  @Test
  void leavesAbnormalQuestionsUnrotatedLikeVlmEvalKit() {
    assertThat(CircularEval.rotations(question(0, "A", "A", "B"))).as("a label as option text").isEqualTo(1);
    assertThat(CircularEval.rotations(question(0, "A", "both A and B", "neither"))).isEqualTo(1);
    assertThat(CircularEval.rotations(question(0, "C", "x", "y"))).as("answer not an option").isEqualTo(1);
    assertThat(CircularEval.rotations(question(0, "A", "only one"))).isEqualTo(1);
    assertThat(CircularEval.rotations(question(0, "A", "A red wall.", "A blue wall."))).isEqualTo(2);
  }

  @Test
  void rejectsIndicesThatCollideWithRotatedCopies() {
    assertThatThrownBy(() -> CircularEval.expand(List.of(question(1_000_000, "A", "x", "y"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1000000");
  }

  static MmbenchQuestion question(long index, String answer, String... options) {
    return new MmbenchQuestion(index, "Which?", "", AnswerExtractorTest.options(options), answer, "counting",
        "finegrained_perception (instance-level)", "dev", "iVBORw0KGgo-not-decoded-here");
  }
}
