package org.aia4j.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.aia4j.api.interaction.AnswerQueries;
import org.aia4j.api.interaction.InteractionRoles;
import org.aia4j.api.interaction.InteractionSets;
import org.aia4j.api.interaction.TokenRole;
import org.aia4j.api.model.Task;
import org.junit.jupiter.api.Test;

class InteractionRolesTest {

  private static final int O = TokenRole.OTHER.code();
  private static final int B = TokenRole.BOS.code();
  private static final int T = TokenRole.TEXT.code();
  private static final int I = TokenRole.IMAGE.code();
  private static final int A = TokenRole.ANSWER.code();

  // <bos> a red square <boi> i i i <eoi> <eos>
  private static final int[] GENERATION = {B, T, T, T, O, I, I, I, O, O};
  // <bos> <boi> i i <eoi> what colour <answer> red <eos>
  private static final int[] UNDERSTANDING = {B, O, I, I, O, T, T, O, A, O};

  @Test
  void generationQueriesImagesAndKeysThePromptWithBosByDefault() {
    InteractionSets sets = InteractionRoles.of(Task.GENERATION).sets(new int[][] {GENERATION});
    assertThat(sets.queryMask()).containsExactly(0, 0, 0, 0, 0, 1, 1, 1, 0, 0);
    assertThat(sets.keyMask()).containsExactly(1, 1, 1, 1, 0, 0, 0, 0, 0, 0);
    assertThat(sets.queryIndex()).containsExactly(5, 6, 7);
    assertThat(sets.queryValid()).containsExactly(1, 1, 1);

    InteractionSets withoutBos =
        new InteractionRoles(Task.GENERATION, false).sets(new int[][] {GENERATION});
    assertThat(withoutBos.keyMask()).containsExactly(0, 1, 1, 1, 0, 0, 0, 0, 0, 0);
  }

  @Test
  void understandingQueriesAnswersAndKeysTheImage() {
    InteractionSets sets = InteractionRoles.of(Task.UNDERSTANDING).sets(new int[][] {UNDERSTANDING});
    assertThat(sets.queryMask()).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 1, 0);
    assertThat(sets.keyMask()).containsExactly(0, 0, 1, 1, 0, 0, 0, 0, 0, 0);
    assertThat(new InteractionRoles(Task.UNDERSTANDING, false).sets(new int[][] {UNDERSTANDING}))
        .as("BOS handling concerns generation only")
        .usingRecursiveComparison()
        .isEqualTo(sets);
  }

  @Test
  void answerPredictorsAreTheRowsWhoseNextTokenIsAnAnswerToken() {
    // <bos> <boi> i i <eoi> what colour <answer> dark red <eos>
    int[] twoWordAnswer = {B, O, I, I, O, T, T, O, A, A, O};
    InteractionRoles predictors = new InteractionRoles(Task.UNDERSTANDING, true, AnswerQueries.PREDICTORS);
    InteractionSets sets = predictors.sets(new int[][] {twoWordAnswer});
    assertThat(sets.queryIndex()).as("<answer> and 'dark', not 'red'").containsExactly(7, 8);
    assertThat(sets.keyMask()).containsExactly(0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0);
    assertThat(InteractionRoles.of(Task.UNDERSTANDING).sets(new int[][] {twoWordAnswer}).queryIndex())
        .as("the reference's answer tokens").containsExactly(8, 9);
    assertThat(predictors.sets(new int[][] {UNDERSTANDING}).queryIndex())
        .as("a one-word answer: only the <answer> row").containsExactly(7);
    assertThat(new InteractionRoles(Task.GENERATION, true, AnswerQueries.PREDICTORS).sets(new int[][] {GENERATION}))
        .as("the understanding query set does not touch generation")
        .usingRecursiveComparison()
        .isEqualTo(InteractionRoles.of(Task.GENERATION).sets(new int[][] {GENERATION}));
  }

  @Test
  void queryLabelsParseAndUnknownOnesAreNamed() {
    assertThat(AnswerQueries.parse("answer-predictors")).isEqualTo(AnswerQueries.PREDICTORS);
    assertThat(AnswerQueries.parse("Answer-Tokens")).isEqualTo(AnswerQueries.TOKENS);
    assertThatThrownBy(() -> AnswerQueries.parse("answers"))
        .hasMessageContaining("'answers'").hasMessageContaining("answer-tokens, answer-predictors");
  }

  @Test
  void queryIndicesArePaddedToTheLargestQuerySet() {
    int[] noImage = {B, T, T, O, O, O, O, O, O, O};
    InteractionSets sets =
        InteractionRoles.of(Task.GENERATION).sets(new int[][] {GENERATION, noImage, {O, O, B, T, O, I, O, O, O, O}});
    assertThat(sets.queryMax()).isEqualTo(3);
    assertThat(sets.queryIndex()).containsExactly(5, 6, 7, 0, 0, 0, 5, 0, 0);
    assertThat(sets.queryValid()).containsExactly(1, 1, 1, 0, 0, 0, 1, 0, 0);
    assertThat(sets.queryCount(1)).isZero();
    assertThat(sets.keyCount(2)).isEqualTo(2);
    assertThat(sets.attentionFloats(4)).containsExactly(3L * 4 * 10 * 10, 3L * 4 * 3 * 10);
  }

  @Test
  void badRolesAreRejected() {
    InteractionRoles roles = InteractionRoles.of(Task.GENERATION);
    assertThatThrownBy(() -> roles.sets(new int[][] {{B, 9}}))
        .hasMessage("Unknown token role code 9. Known: 0 OTHER, 1 BOS, 2 TEXT, 3 IMAGE, 4 ANSWER.");
    assertThatThrownBy(() -> roles.sets(new int[][] {{B, T}, {B}}))
        .hasMessage("roles[1] has 1 positions, roles[0] has 2");
    assertThatThrownBy(() -> roles.sets(new int[0][]))
        .hasMessage("roles must be (B, T) with B, T > 0");
  }
}
