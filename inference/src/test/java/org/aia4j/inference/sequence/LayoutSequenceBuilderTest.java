package org.aia4j.inference.sequence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Arrays;
import org.aia4j.api.Registries;
import org.aia4j.api.data.GenerationSample;
import org.aia4j.api.data.UnderstandingSample;
import org.aia4j.api.interaction.InteractionRoles;
import org.aia4j.api.interaction.TokenRole;
import org.aia4j.api.model.Task;
import org.aia4j.api.tokenizer.TextTokenizer;
import org.aia4j.inference.profile.ExplicitSequence;
import org.aia4j.testkit.PythonFixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Samples laid out in an imported model's own stream, against the tiny LLaMA's WordLevel tokenizer
 * (which adds {@code <s>} = 1 and names {@code </s>} = 2): every id, role and loss position written
 * out by hand from the layout ({@code hf/tiny_layout.json}), for both tasks, the unconditional row and the generation prefix.
 */
class LayoutSequenceBuilderTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static TextTokenizer text;
  private static JsonNode vocab;
  private static LayoutSequenceBuilder builder;

  @BeforeAll
  static void fixture() throws Exception {
    Path model = PythonFixtures.tinyLlama();
    text = Registries.textTokenizers().get("huggingface").load(model);
    vocab = JSON.readTree(model.resolve("tokenizer.json").toFile()).path("model").path("vocab");
    builder = new LayoutSequenceBuilder(ImageLayout.load(PythonFixtures.tinyLlamaLayout().toString()).resolve(text, 64),
        text, null);
  }

  private static int id(String word) {
    return vocab.get(word).asInt();
  }

  @Test
  void understandingIsTheTemplateWithTheImageRowsThenTheAnswerAndEos() {
    TokenSequence s = builder.understanding(UnderstandingSample.tokenized(new int[] {0, 1, 2, 15}, "colour", "red one"));
    int of = id("of");
    assertThat(s.tokens()).containsExactly(1, id("image"), 48, 49, of, 50, 63, of, id("and"), id("picture"),
        id("what"), id("colour"), id("red"), id("one"), 2);
    TokenRole o = TokenRole.OTHER;
    TokenRole i = TokenRole.IMAGE;
    TokenRole t = TokenRole.TEXT;
    TokenRole a = TokenRole.ANSWER;
    assertThat(s.roles()).containsExactly(TokenRole.BOS, o, i, i, o, i, i, o, o, o, t, t, a, a, o);
    // "colour" predicts "red", "red" predicts "one", "one" predicts </s>.
    assertThat(s.lossPositions()).containsExactly(11, 12, 13);
    assertThat(s.labels()[11]).isEqualTo(id("red"));
    assertThat(s.task()).isEqualTo(Task.UNDERSTANDING);

    ExplicitSequence explicit = ExplicitSequence.of(s, InteractionRoles.of(Task.UNDERSTANDING));
    assertThat(explicit.queries()).containsExactly(12, 13);
    assertThat(explicit.keys()).containsExactly(2, 3, 5, 6);
  }

  @Test
  void generationIsThePromptThenTheImageWithLossFromTheFirstCode() {
    TokenSequence s = builder.generation(GenerationSample.tokenized("red circle", new int[] {3, 4, 5, 6}), false);
    int of = id("of");
    assertThat(s.tokens()).containsExactly(1, id("draw"), id("red"), id("circle"), id("image"), 51, 52, of, 53, 54, of,
        id("and"), id("picture"), 2);
    assertThat(s.positions(TokenRole.TEXT)).containsExactly(1, 2, 3);
    assertThat(s.positions(TokenRole.IMAGE)).containsExactly(5, 6, 8, 9);
    // "image" (position 4) predicts the first code; "picture" predicts </s>.
    assertThat(s.lossPositions()).containsExactly(4, 5, 6, 7, 8, 9, 10, 11, 12);
    ExplicitSequence explicit = ExplicitSequence.of(s, InteractionRoles.of(Task.GENERATION));
    assertThat(explicit.queries()).containsExactly(5, 6, 8, 9);
    assertThat(explicit.keys()).containsExactly(0, 1, 2, 3); // BOS counts as text by default
    assertThat(ExplicitSequence.of(s, new InteractionRoles(Task.GENERATION, false)).keys()).containsExactly(1, 2, 3);

    TokenSequence dropped = builder.generation(GenerationSample.tokenized("red circle", new int[] {3, 4, 5, 6}), true);
    assertThat(Arrays.copyOf(dropped.tokens(), 3)).containsExactly(1, id("small"), id("image"));
    assertThat(dropped.promptDropped()).isTrue();
    assertThat(builder.generationPrefix("red circle", false, 2, 2)).containsExactly(1, id("draw"), id("red"),
        id("circle"), id("image"));
    assertThat(builder.generationPrefix("red circle", true, 2, 2)).containsExactly(1, id("small"), id("image"));
  }

  @Test
  void codesThatDoNotFitAreRefusedSayingWhy() {
    assertThatThrownBy(() -> builder.checkImageCodes(new int[] {1, 2, 3}))
        .hasMessageContaining("3 image codes are not a square grid").hasMessageContaining("layout 'tiny'");
    assertThatThrownBy(() -> builder.checkImageCodes(new int[] {1, 2, 16, 0}))
        .hasMessageContaining("image code 16 at position 2").hasMessageContaining("[0, 16)");
    assertThatThrownBy(() -> builder.generation(new GenerationSample("red", new java.awt.image.BufferedImage(8, 8,
        java.awt.image.BufferedImage.TYPE_INT_RGB), null), false)).hasMessageContaining("no image tokenizer");
  }
}
