package org.aia4j.evaluation.mmbench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MmbenchPromptTest {

  @Test
  void buildsVlmEvalKitsPromptWithHintQuestionOptionsAndInstruction() {
    String prompt = MmbenchPrompt.build("Look at the left side.", "What color is the circle in the image?",
        AnswerExtractorTest.options("red", "blue"));

    assertThat(prompt).isEqualTo("""
        Hint: Look at the left side.
        Question: What color is the circle in the image?
        Options:
        A. red
        B. blue
        Please select the correct answer from the options above. \n""");
  }

  @Test
  void leavesOutAnEmptyHintAndTheOptionBlockWithoutOptions() {
    assertThat(MmbenchPrompt.build("", "How many squares are there?", AnswerExtractorTest.options("1", "2")))
        .startsWith("Question: How many squares are there?\nOptions:\nA. 1\nB. 2\n");
    assertThat(MmbenchPrompt.build("", "Describe the image.", Map.of())).isEqualTo("Question: Describe the image.\n");
  }
}
