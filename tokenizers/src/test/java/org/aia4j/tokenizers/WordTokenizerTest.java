package org.aia4j.tokenizers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class WordTokenizerTest {

  private static final List<String> CORPUS =
      List.of(
          "A red circle and a blue square.",
          "How many circles are there? Answer: two",
          "Is the red circle left of the green cross?",
          "The top-left object, it's a triangle.");

  private final WordTokenizer words = WordTokenizer.fit(CORPUS);

  @Test
  void splitsLowerCasedWordsFromPunctuation() {
    assertThat(WordTokenizer.tokens("Is the RED circle left of (the) cross?  Answer: B."))
        .containsExactly(
            "is", "the", "red", "circle", "left", "of", "(", "the", ")", "cross", "?", "answer",
            ":", "b", ".");
    assertThat(WordTokenizer.tokens("top-left, it's")).containsExactly("top-left", ",", "it's");
    assertThat(WordTokenizer.tokens("  ")).isEmpty();
  }

  @Test
  void decodingAnEncodingGivesTheNormalisedText() {
    String text = "Is the  red circle LEFT of the green cross ?Answer:two.";

    String back = words.decode(words.encode(text));

    assertThat(back).isEqualTo(WordTokenizer.normalise(text));
    assertThat(back).isEqualTo("is the red circle left of the green cross? answer: two.");
    assertThat(WordTokenizer.normalise("a ( b ) , c")).isEqualTo("a (b), c");
  }

  @Test
  void unknownWordsBecomeTheUnknownToken() {
    int[] ids = words.encode("A purple circle.");

    assertThat(ids[1]).isEqualTo(words.unknownId()).isEqualTo(WordTokenizer.UNKNOWN_ID);
    assertThat(words.decode(ids)).isEqualTo("a <unk> circle.");
    assertThat(words.id("purple")).isEqualTo(0);
    assertThat(words.id("<unk>")).isEqualTo(0);
    assertThat(words.token(0)).isEqualTo("<unk>");
    assertThat(words.encode("<unk>")).as("text cannot spell the unknown token").hasSize(3);
  }

  @Test
  void theVocabularyIsOrderedByFrequencyThenAlphabetically() {
    List<String> vocabulary = words.vocabulary();

    // a and the 3 times each; then ., ?, circle and red twice each, in code point order
    assertThat(vocabulary.subList(0, 7))
        .containsExactly("<unk>", "a", "the", ".", "?", "circle", "red");
    assertThat(words.vocabularySize()).isEqualTo(vocabulary.size());
    for (int id = 0; id < vocabulary.size(); id++) {
      assertThat(words.id(words.token(id))).isEqualTo(id);
    }
    List<String> shuffled = new ArrayList<>(CORPUS);
    Collections.reverse(shuffled);
    assertThat(WordTokenizer.fit(shuffled).vocabulary()).isEqualTo(vocabulary);
  }

  @Test
  void minimumFrequencyDropsRareWords() {
    WordTokenizer frequent = WordTokenizer.fit(CORPUS, 2);

    assertThat(frequent.vocabulary()).containsExactly("<unk>", "a", "the", ".", "?", "circle", "red");
    assertThat(frequent.decode(frequent.encode("A green circle?"))).isEqualTo("a <unk> circle?");
    assertThat(frequent.provenance()).isEqualTo(new WordTokenizer.Provenance(2, 4, 35));
  }

  @Test
  void rejectsOutOfRangeIdsAndBadVocabularies() {
    int size = words.vocabularySize();

    assertThatThrownBy(() -> words.decode(new int[] {1, size}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Text id " + size + " at position 1 is outside the vocabulary [0, " + size + ")");
    assertThatThrownBy(() -> words.token(-1)).hasMessageContaining("Text id -1 is outside");
    var given = WordTokenizer.Provenance.given();
    assertThatThrownBy(() -> new WordTokenizer(List.of("a"), given))
        .hasMessageContaining("starts with <unk>");
    assertThatThrownBy(() -> new WordTokenizer(List.of("<unk>", "a", "a"), given))
        .hasMessage("Vocabulary entry 2 'a' repeats entry 1");
    assertThatThrownBy(() -> new WordTokenizer(List.of("<unk>", "Red cube"), given))
        .hasMessage("Vocabulary entry 1 'Red cube' is not one normalised token");
    assertThatThrownBy(() -> WordTokenizer.fit(CORPUS, 0)).hasMessageContaining("at least 1");
  }

  @Test
  void aCasePreservingVocabularyKeepsOptionLettersApartFromArticlesAndSurvivesSaving(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    WordTokenizer cased = WordTokenizer.fit(List.of("Is there a circle? A. yes B. no", "A"), 1, false);
    assertThat(cased.id("A")).isNotEqualTo(cased.id("a"));
    assertThat(cased.decode(cased.encode("A"))).isEqualTo("A");
    assertThat(words.decode(words.encode("A"))).isEqualTo("a");
    cased.save(dir);
    WordTokenizer back = (WordTokenizer) new WordTokenizerProvider().load(dir);
    assertThat(back.lowercase()).isFalse();
    assertThat(back.encode("Is there a circle? A")).containsExactly(cased.encode("Is there a circle? A"));
  }
}
