package org.aia4j.inference.sequence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class TokenLayoutTest {

  private final TokenLayout layout = new TokenLayout(100, 256);

  @Test
  void specialsThenTextThenImage() {
    assertThat(TokenLayout.PAD).isZero();
    assertThat(TokenLayout.specialId("<bos>")).isEqualTo(1);
    assertThat(TokenLayout.specialId("<eos>")).isEqualTo(2);
    assertThat(TokenLayout.specialId("<boi>")).isEqualTo(3);
    assertThat(TokenLayout.specialId("<eoi>")).isEqualTo(4);
    assertThat(TokenLayout.specialId("<answer>")).isEqualTo(5);
    assertThat(TokenLayout.specialId("<reserved_15>")).isEqualTo(15);
    assertThat(layout.textOffset()).isEqualTo(16);
    assertThat(layout.imageOffset()).isEqualTo(116);
    assertThat(layout.vocabularySize()).isEqualTo(372);
  }

  @Test
  void mapsBothWays() {
    assertThat(layout.fromText(0)).isEqualTo(16);
    assertThat(layout.toText(115)).isEqualTo(99);
    assertThat(layout.fromImage(255)).isEqualTo(371);
    assertThat(layout.toImage(new int[] {116, 371})).containsExactly(0, 255);
    assertThat(layout.isSpecial(15)).isTrue();
    assertThat(layout.isTextToken(15)).isFalse();
    assertThat(layout.isTextToken(16)).isTrue();
    assertThat(layout.isTextToken(116)).isFalse();
    assertThat(layout.isImageToken(116)).isTrue();
    assertThat(layout.isImageToken(372)).isFalse();
    assertThat(layout.describe(new int[] {1, 16, 116, 400})).isEqualTo("<bos> text:0 img:0 invalid:400");
  }

  @Test
  void rejectsOutOfRangeIds() {
    assertThatThrownBy(() -> layout.fromText(100)).hasMessageContaining("Text id 100 is outside the text vocabulary [0, 100)");
    assertThatThrownBy(() -> layout.fromImage(-1)).hasMessageContaining("Image code -1 is outside the codebook [0, 256)");
    assertThatThrownBy(() -> layout.toImage(3)).hasMessageContaining("<boi> (id 3) is not an image token");
    assertThatThrownBy(() -> layout.toText(116)).hasMessageContaining("img:0 (id 116) is not a text token");
    assertThatThrownBy(() -> TokenLayout.specialId("<img>")).hasMessageContaining("Unknown special token '<img>'");
    assertThatThrownBy(() -> new TokenLayout(0, 5)).hasMessageContaining("textVocabularySize must be >= 1");
  }

  @Test
  void jsonRoundTrip() throws Exception {
    ObjectMapper json = new ObjectMapper();
    String s = json.writeValueAsString(layout);
    assertThat(s).isEqualTo("{\"textVocabularySize\":100,\"imageCodebookSize\":256}");
    assertThat(json.readValue(s, TokenLayout.class)).isEqualTo(layout);
  }

  @Test
  void sizesThatWouldWrapTheIdRangeAreRefused() {
    assertThatThrownBy(() -> new TokenLayout(100, Integer.MAX_VALUE))
        .hasMessage("the text vocabulary (100) and the image codebook (2147483647) make a vocabulary of 2147483763,"
            + " more than the 16777216 a model may have");
  }
}
