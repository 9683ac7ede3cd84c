package org.aia4j.onnx.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OrtEnvironment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.aia4j.api.model.AnswerRequest;
import org.aia4j.api.model.RollingBatch;
import org.aia4j.api.model.RowListener;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.inference.decode.Decoding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Continuous batching on ONNX Runtime: rows that join a running decoding, and rows that leave it,
 * change no row's logits, and a rolling batch answers every request as it is answered alone.
 */
class OnnxRollingTest {
  @TempDir
  static Path tmp;

  static OnnxUnifiedModel model;

  @BeforeAll
  static void train() throws Exception {
    model = OnnxUnifiedModel.load(Checkpoints.train(tmp.resolve("tiny"), "tiny", 40, 64));
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static int[] prefix(long index, String prompt) {
    return model.prompts().understandingPrefix(Checkpoints.DATA.understanding(index).image(), prompt);
  }

  @Test
  void rowsJoiningAndLeavingARunningDecodingKeepEveryRowsLogits() {
    int[] first = prefix(1, "is there a circle?");
    int[] second = prefix(2, "what colour is the shape in the top left?");
    // Longer than the running rows after two steps: the kept rows get more padding.
    int[] longer = prefix(3, "how many shapes are there in the picture and what colour is the largest one?");
    int[] shorter = prefix(4, "what shape?");
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (Decoding rolling = new OnnxDecoding(env, model.session());
        Decoding aloneSecond = new OnnxDecoding(env, model.session());
        Decoding aloneLonger = new OnnxDecoding(env, model.session());
        Decoding aloneShorter = new OnnxDecoding(env, model.session())) {
      assertThat(rolling.joins()).isTrue();
      float[][] logits = rolling.join(new int[0], List.of(first, second));
      float[] second0 = aloneSecond.start(List.of(second))[0];
      assertThat(logits[1]).containsExactly(second0, within(1e-5f));
      int[] tokens = {argmax(logits[0]), argmax(logits[1])};
      for (int step = 0; step < 2; step++) {
        logits = rolling.next(tokens);
        float[] expected = aloneSecond.next(new int[] {tokens[1]})[0];
        assertThat(logits[1]).as("second, step %d", step).containsExactly(expected, within(1e-5f));
        tokens = new int[] {argmax(logits[0]), argmax(logits[1])};
      }
      assertThat(longer.length).isGreaterThan(second.length + 2);
      // The first row ends; the second stays; two newcomers come, one longer than the batch so far.
      float[][] joined = rolling.join(new int[] {1}, List.of(longer, shorter));
      assertThat(joined).hasNumberOfRows(2);
      assertThat(joined[0]).as("longer, prefilled").containsExactly(aloneLonger.start(List.of(longer))[0],
          within(1e-5f));
      assertThat(joined[1]).as("shorter, prefilled").containsExactly(aloneShorter.start(List.of(shorter))[0],
          within(1e-5f));
      int[] fed = {tokens[1], argmax(joined[0]), argmax(joined[1])};
      for (int step = 0; step < 3; step++) {
        logits = rolling.next(fed);
        float[] second1 = aloneSecond.next(new int[] {fed[0]})[0];
        float[] longer1 = aloneLonger.next(new int[] {fed[1]})[0];
        float[] shorter1 = aloneShorter.next(new int[] {fed[2]})[0];
        assertThat(logits[0]).as("second after the join, step %d", step).containsExactly(second1, within(1e-5f));
        assertThat(logits[1]).as("longer, step %d", step).containsExactly(longer1, within(1e-5f));
        assertThat(logits[2]).as("shorter, step %d", step).containsExactly(shorter1, within(1e-5f));
        fed = new int[] {argmax(logits[0]), argmax(logits[1]), argmax(logits[2])};
      }
      assertThatThrownBy(() -> rolling.join(new int[] {2, 1}, List.of())).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("strictly increasing indices below 3");
    }
  }

  @Test
  void aRollingBatchAnswersEveryRequestAsItIsAnsweredAloneWhenItJoins() {
    List<AnswerRequest> requests = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      var sample = Checkpoints.DATA.understanding(300 + i);
      // Seeded sampling: answers of many lengths, so rows leave at different steps.
      requests.add(new AnswerRequest(sample.image(), sample.prompt(), 3 + i % 7, new SamplingSettings(1.0, 1.0, 0, i)));
    }
    List<String> alone = requests.stream().map(r -> model.answer(List.of(r)).get(0)).toList();
    Map<Integer, String> answers = new TreeMap<>();
    Map<Integer, List<Integer>> tokens = new TreeMap<>();
    int[] budgets = new int[requests.size()];
    try (RollingBatch batch = model.rollingBatch().orElseThrow()) {
      int next = 0;
      int steps = 0;
      // Requests come 0, 1, 2, 3 ... at a time, between steps, while earlier rows still decode.
      for (int wave = 0; next < requests.size() || batch.size() > 0; wave++) {
        for (int k = 0; k < wave % 4 && next < requests.size(); k++, next++) {
          int index = next;
          tokens.put(index, new ArrayList<>());
          batch.addAnswer(requests.get(index), new RowListener() {
            @Override
            public void onToken(int id) {
              tokens.get(index).add(id);
            }

            @Override
            public void finished(int[] ids, String text, int budget) {
              assertThat(answers.put(index, text)).as("request %d finished twice", index).isNull();
              assertThat(Arrays.stream(ids).boxed().toList()).isEqualTo(tokens.get(index));
              budgets[index] = budget;
            }
          });
        }
        if (batch.size() > 0) {
          batch.step();
          steps++;
        }
      }
      assertThat(steps).as("steps: rows overlapped, so fewer steps than tokens").isLessThan(
          tokens.values().stream().mapToInt(List::size).sum());
    }
    assertThat(answers.values()).containsExactlyElementsOf(alone);
    for (int i = 0; i < requests.size(); i++) {
      assertThat(budgets[i]).isEqualTo(requests.get(i).maxNewTokens());
      assertThat(model.prompts().text().decode(tokens.get(i).stream().mapToInt(Integer::intValue).toArray()))
          .isEqualTo(alone.get(i));
    }
    assertThat(alone.stream().map(a -> a.isBlank() ? 0 : a.split(" ").length).distinct().count())
        .as("answers of several lengths: %s", alone).isGreaterThan(2);
  }

  @Test
  void aStoppedRowEndsWithWhatItHasAndABadRequestIsRefusedWithoutJoining() {
    var sample = Checkpoints.DATA.understanding(7);
    AnswerRequest request = new AnswerRequest(sample.image(), sample.prompt(), 20, new SamplingSettings(1.0, 1.0, 0, 3));
    String alone = model.answer(List.of(request)).get(0);
    try (RollingBatch batch = model.rollingBatch().orElseThrow()) {
      String tooLong = String.join(" ", java.util.Collections.nCopies(400, "circle"));
      assertThatThrownBy(() -> batch.addAnswer(new AnswerRequest(sample.image(), tooLong, 4), ignoring()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxLength");
      assertThat(batch.size()).isZero();
      List<Integer> seen = new ArrayList<>();
      String[] result = new String[1];
      batch.addAnswer(request, new RowListener() {
        @Override
        public void onToken(int id) {
          seen.add(id);
        }

        @Override
        public boolean stopped() {
          return seen.size() == 2;
        }

        @Override
        public void finished(int[] ids, String text, int budget) {
          result[0] = text;
        }
      });
      while (batch.size() > 0) {
        batch.step();
      }
      assertThat(seen).hasSizeLessThanOrEqualTo(2);
      assertThat(alone).startsWith(result[0]);
    }
  }

  private static RowListener ignoring() {
    return new RowListener() {
      @Override
      public void onToken(int id) {}

      @Override
      public void finished(int[] ids, String text, int budget) {}
    };
  }

  private static int argmax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }
}
