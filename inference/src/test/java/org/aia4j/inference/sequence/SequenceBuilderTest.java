package org.aia4j.inference.sequence;

import static org.aia4j.api.interaction.TokenRole.ANSWER;
import static org.aia4j.api.interaction.TokenRole.BOS;
import static org.aia4j.api.interaction.TokenRole.IMAGE;
import static org.aia4j.api.interaction.TokenRole.OTHER;
import static org.aia4j.api.interaction.TokenRole.TEXT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.aia4j.api.data.GenerationSample;
import org.aia4j.api.data.UnderstandingSample;
import org.aia4j.api.interaction.TokenRole;
import org.aia4j.api.model.Task;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.api.tokenizer.TextTokenizer;
import org.aia4j.testkit.FakeTokenizers;
import org.junit.jupiter.api.Test;

class SequenceBuilderTest {

  // Text ids: <unk>=0 a=1 red=2 circle=3 what=4 colour=5 yes=6 -> unified 16..22.
  private final TextTokenizer text = FakeTokenizers.words("<unk>", "a", "red", "circle", "what", "colour", "yes");
  // Image codes 0..9 -> unified 23..32.
  private final ImageTokenizer image = FakeTokenizers.patches(10);
  private final TokenLayout layout = TokenLayout.of(text, image);
  private final SequenceBuilder builder = new SequenceBuilder(layout, text, image);

  @Test
  void paddingIsTheOtherRole() {
    assertThat(TokenLayout.PAD).isZero();
    assertThat(OTHER.code()).as("role arrays are padded with zeros, like token ids").isEqualTo(TokenLayout.PAD);
  }

  @Test
  void understandingLayout() {
    TokenSequence s =
        builder.understanding(
            new UnderstandingSample(FakeTokenizers.image(1, 2, 3, 9), "what colour", "red circle"));
    assertThat(layout.describe(s.tokens()))
        .isEqualTo("<bos> <boi> img:1 img:2 img:3 img:9 <eoi> text:4 text:5 <answer> text:2 text:3 <eos>");
    assertThat(s.tokens()).containsExactly(1, 3, 24, 25, 26, 32, 4, 20, 21, 5, 18, 19, 2);
    assertThat(s.roles())
        .containsExactly(BOS, OTHER, IMAGE, IMAGE, IMAGE, IMAGE, OTHER, TEXT, TEXT, OTHER, ANSWER, ANSWER, OTHER);
    // Labels are the next tokens; loss where the target is an answer token or <eos>.
    assertThat(s.labels()).containsExactly(3, 24, 25, 26, 32, 4, 20, 21, 5, 18, 19, 2, 0);
    assertThat(s.lossPositions()).containsExactly(9, 10, 11);
    assertThat(layout.describe(new int[] {s.labels()[9], s.labels()[10], s.labels()[11]}))
        .isEqualTo("text:2 text:3 <eos>");
    assertThat(s.task()).isEqualTo(Task.UNDERSTANDING);
    assertThat(s.promptDropped()).isFalse();
    // AIA sets: Q = answer positions, K = image positions.
    assertThat(s.positions(ANSWER)).containsExactly(10, 11);
    assertThat(s.positions(IMAGE)).containsExactly(2, 3, 4, 5);
  }

  @Test
  void generationLayout() {
    TokenSequence s =
        builder.generation(new GenerationSample("a red circle", FakeTokenizers.image(0, 5, 5, 7)), false);
    assertThat(layout.describe(s.tokens()))
        .isEqualTo("<bos> text:1 text:2 text:3 <boi> img:0 img:5 img:5 img:7 <eoi> <eos>");
    assertThat(s.roles())
        .containsExactly(BOS, TEXT, TEXT, TEXT, OTHER, IMAGE, IMAGE, IMAGE, IMAGE, OTHER, OTHER);
    // <boi> predicts the first image token ... <eoi> predicts <eos>.
    assertThat(s.lossPositions()).containsExactly(4, 5, 6, 7, 8, 9);
    assertThat(layout.describe(java.util.Arrays.copyOfRange(s.labels(), 4, 10)))
        .isEqualTo("img:0 img:5 img:5 img:7 <eoi> <eos>");
    assertThat(s.positions(TEXT)).containsExactly(1, 2, 3);
    assertThat(s.positions(IMAGE)).containsExactly(5, 6, 7, 8);
    assertThat(s.task()).isEqualTo(Task.GENERATION);
  }

  @Test
  void generationWithDroppedPrompt() {
    TokenSequence s = builder.generation("a red circle", new int[] {0, 5, 5, 7}, true);
    assertThat(layout.describe(s.tokens())).isEqualTo("<bos> <boi> img:0 img:5 img:5 img:7 <eoi> <eos>");
    assertThat(s.roles()).containsExactly(BOS, OTHER, IMAGE, IMAGE, IMAGE, IMAGE, OTHER, OTHER);
    assertThat(s.positions(TEXT)).isEmpty();
    assertThat(s.lossPositions()).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(s.promptDropped()).isTrue();
  }

  @Test
  void inferencePrefixes() {
    assertThat(layout.describe(builder.generationPrefix("red circle")))
        .isEqualTo("<bos> text:2 text:3 <boi>");
    assertThat(layout.describe(builder.generationPrefix(null))).isEqualTo("<bos> <boi>");
    assertThat(layout.describe(builder.understandingPrefix(FakeTokenizers.image(1, 1, 1, 1), "what")))
        .isEqualTo("<bos> <boi> img:1 img:1 img:1 img:1 <eoi> text:4 <answer>");
  }

  @Test
  void rejectsBadInput() {
    assertThatThrownBy(() -> builder.generation("a", new int[] {1, 2, 3}, false))
        .hasMessageContaining("Expected 4 image tokens, got 3");
    assertThatThrownBy(() -> builder.generation("a", new int[] {1, 2, 3, 10}, false))
        .hasMessageContaining("Image token 10 at position 3 is outside the codebook [0, 10)");
    assertThatThrownBy(() -> builder.understanding(new int[] {1, 2, 3, 4}, "what", "  "))
        .hasMessageContaining("encodes to no tokens");
    assertThatThrownBy(() -> new SequenceBuilder(new TokenLayout(7, 11), text, image))
        .hasMessageContaining("do not match the layout");
  }
}
