package org.aia4j.evaluation.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.aia4j.api.data.GenerationSample;
import org.aia4j.api.data.TrainingData;
import org.aia4j.api.data.UnderstandingSample;
import org.aia4j.evaluation.data.WorldTrainingData.GenerationDraw;
import org.aia4j.evaluation.data.WorldTrainingData.GenerationKind;
import org.aia4j.evaluation.data.WorldTrainingData.UnderstandingDraw;
import org.aia4j.evaluation.data.WorldTrainingData.UnderstandingKind;
import org.aia4j.evaluation.geneval.GenEvalPrompt;
import org.aia4j.evaluation.geneval.GenEvalResult;
import org.aia4j.evaluation.geneval.GenEvalScorer;
import org.aia4j.evaluation.geneval.GenEvalSuite;
import org.aia4j.evaluation.mmbench.MmbenchQuestion;
import org.aia4j.evaluation.mmbench.MmbenchSuite;
import org.aia4j.evaluation.world.ColorShape;
import org.aia4j.evaluation.world.DetectedObject;
import org.aia4j.evaluation.world.SceneAnalyser;
import org.aia4j.evaluation.world.Shape;
import org.aia4j.evaluation.world.ShapesWorld;
import org.aia4j.evaluation.world.WorldColor;
import org.aia4j.evaluation.world.WorldSpec;
import org.junit.jupiter.api.Test;

class WorldTrainingDataTest {
  private static final WorldSpec SPEC = WorldSpec.standard();
  private static final WorldTrainingData DATA = new WorldTrainingData(SPEC, 7);
  private static final SceneAnalyser ANALYSER = new SceneAnalyser(SPEC);
  /** The word tokenizer's split: words (inner hyphens, apostrophes) and single punctuation marks. */
  private static final Pattern TOKEN = Pattern.compile("[\\p{L}\\p{M}\\p{N}]+(?:[-'’][\\p{L}\\p{M}\\p{N}]+)*|\\S");

  @Test
  void sameSeedAndIndexGiveEqualSamplesWithPixelEqualImages() {
    TrainingData again = new WorldTrainingData(SPEC, 7, WorldDataOptions.defaults());
    for (long i : new long[] {0, 1, 2, 17, 500, 123_456_789_012L}) {
      UnderstandingSample a = DATA.understanding(i);
      UnderstandingSample b = again.understanding(i);
      assertThat(b.prompt()).isEqualTo(a.prompt());
      assertThat(b.answer()).isEqualTo(a.answer());
      assertThat(pixels(b.image())).isEqualTo(pixels(a.image()));
      GenerationSample g = DATA.generation(i);
      GenerationSample h = again.generation(i);
      assertThat(h.prompt()).isEqualTo(g.prompt());
      assertThat(pixels(h.image())).isEqualTo(pixels(g.image()));
    }
    // Order of access does not matter: index 17 drawn last equals index 17 drawn first.
    assertThat(again.understanding(17).answer()).isEqualTo(DATA.understanding(17).answer());
  }

  @Test
  void anotherIndexOrSeedGivesAnotherSample() {
    WorldTrainingData other = new WorldTrainingData(SPEC, 8);
    for (long i = 0; i < 50; i++) {
      assertThat(key(DATA.understanding(i))).as("understanding %d vs %d", i, i + 1)
          .isNotEqualTo(key(DATA.understanding(i + 1)));
      assertThat(key(DATA.generation(i))).as("generation %d vs %d", i, i + 1).isNotEqualTo(key(DATA.generation(i + 1)));
    }
    Set<String> seven = new HashSet<>();
    Set<String> eight = new HashSet<>();
    for (long i = 0; i < 200; i++) {
      seven.add(key(DATA.understanding(i)));
      eight.add(key(other.understanding(i)));
    }
    assertThat(seven).hasSizeGreaterThan(195);
    seven.retainAll(eight);
    assertThat(seven).as("samples shared by seeds 7 and 8").hasSizeLessThan(5);
  }

  @Test
  void noSampleShowsOrNamesAHeldOutCombination() {
    List<Pattern> named = SPEC.heldOut().stream()
        .map(c -> Pattern.compile(c.color().label() + "\\W+" + c.shape().label())).toList();
    for (long i = 0; i < 1500; i++) {
      UnderstandingSample u = DATA.understanding(i);
      GenerationSample g = DATA.generation(i);
      for (BufferedImage image : List.of(u.image(), g.image())) {
        for (DetectedObject o : ANALYSER.analyse(image).objects()) {
          assertThat(SPEC.heldOut()).as("sample %d shows %s", i, o).doesNotContain(new ColorShape(o.color(), o.shape()));
        }
      }
      for (String text : List.of(u.prompt(), u.answer(), g.prompt())) {
        String lower = text.toLowerCase(Locale.ROOT);
        assertThat(named).as("sample %d: %s", i, text).noneMatch(p -> p.matcher(lower).find());
      }
    }
  }

  @Test
  void everyGenEvalPromptedImageSatisfiesItsPromptUnderGenEvalsScorer() {
    GenEvalScorer scorer = new GenEvalScorer(ShapesWorld.standard());
    Map<String, Integer> perTag = new HashMap<>();
    int captions = 0;
    for (long i = 0; i < 600; i++) {
      GenerationDraw draw = DATA.drawGeneration(i);
      if (draw.kind() == GenerationKind.GENEVAL) {
        GenEvalPrompt prompt = draw.geneval();
        assertThat(draw.sample().prompt()).isEqualTo(prompt.prompt());
        GenEvalResult result = scorer.scoreImage(prompt, draw.sample().image(), "sample-" + i);
        assertThat(result.correct()).as("sample %d '%s': %s", i, prompt.prompt(), result.reason()).isTrue();
        assertThat(result.rejected()).isEqualTo("[]");
        perTag.merge(prompt.tag(), 1, Integer::sum);
      } else {
        // A caption prompt: the image reads back as exactly the caption's scene.
        SceneReading reading = SceneReading.of(draw.sample().image(), ANALYSER);
        assertThat(reading.scene()).isEqualTo(WorldCaption.parse(draw.sample().prompt(), SPEC));
        captions++;
      }
    }
    assertThat(perTag.keySet()).containsExactlyInAnyOrderElementsOf(GenEvalPrompt.TAGS);
    assertThat(perTag.values()).allSatisfy(n -> assertThat(n).isGreaterThan(40));
    assertThat(captions).isBetween(120, 240); // default weight 0.3 of 600
  }

  @Test
  void everyUnderstandingAnswerIsRightPerTheAnalyserAndLettersAreBalanced() {
    Map<Integer, Map<String, Integer>> letters = new HashMap<>();
    Map<UnderstandingKind, Integer> kinds = new EnumMap<>(UnderstandingKind.class);
    Set<String> captionPrompts = new HashSet<>();
    for (long i = 0; i < 1500; i++) {
      UnderstandingDraw draw = DATA.drawUnderstanding(i);
      UnderstandingSample s = draw.sample();
      SceneReading reading = SceneReading.of(s.image(), ANALYSER);
      assertThat(reading.scene()).as("sample %d image shows its scene", i).isEqualTo(draw.scene());
      switch (draw.kind()) {
        case MULTIPLE_CHOICE -> {
          String letter = reading.multipleChoiceLetter(s.prompt());
          assertThat(s.prompt()).endsWith("Please select the correct answer from the options above. \n");
          Map<String, String> optionTexts = new HashMap<>();
          s.prompt().lines().filter(l -> l.matches("[A-D]\\. .*")).forEach(l -> optionTexts.put(l.substring(0, 1), l.substring(3)));
          assertThat(s.answer()).as("sample %d:\n%s", i, s.prompt()).isEqualTo(optionTexts.get(letter));
          // What the evaluation's answer extraction reads from such an answer is the letter.
          assertThat(org.aia4j.evaluation.mmbench.AnswerExtractor.infer(s.answer(), optionTexts)).contains(letter);
          letters.computeIfAbsent(optionTexts.size(), n -> new HashMap<>()).merge(letter, 1, Integer::sum);
        }
        case CAPTION -> {
          assertThat(WorldCaption.PROMPTS).contains(s.prompt());
          captionPrompts.add(s.prompt());
          assertThat(WorldCaption.parse(s.answer(), SPEC)).as("sample %d: %s", i, s.answer()).isEqualTo(reading.scene());
        }
        case SHORT_ANSWER -> assertThat(s.answer()).as("sample %d: %s", i, s.prompt()).isEqualTo(reading.direct(s.prompt()));
      }
      kinds.merge(draw.kind(), 1, Integer::sum);
    }
    assertThat(kinds.get(UnderstandingKind.MULTIPLE_CHOICE)).isBetween(1050, 1200); // 0.75 of 1500
    assertThat(kinds.get(UnderstandingKind.CAPTION)).isBetween(105, 195); // 0.1
    assertThat(kinds.get(UnderstandingKind.SHORT_ANSWER)).isBetween(170, 280); // 0.15
    assertThat(captionPrompts).containsExactlyInAnyOrderElementsOf(WorldCaption.PROMPTS);
    assertThat(letters).containsKeys(2, 4);
    letters.forEach((n, counts) -> {
      assertThat(counts).as("%d-option answers", n).hasSize(n);
      int total = counts.values().stream().mapToInt(Integer::intValue).sum();
      counts.forEach((letter, count) -> assertThat(count).as("%d-option %s of %d", n, letter, total)
          .isBetween((int) (total / (double) n * 0.7), (int) (total / (double) n * 1.3) + 1));
    });
  }

  @Test
  void theMixFollowsTheOptionsAndAZeroWeightTurnsAKindOff() {
    WorldTrainingData onlyCaptions = new WorldTrainingData(SPEC, 7,
        WorldDataOptions.defaults().withUnderstanding(0, 1, 0).withGeneration(0, 2));
    for (long i = 0; i < 100; i++) {
      assertThat(onlyCaptions.drawUnderstanding(i).kind()).isEqualTo(UnderstandingKind.CAPTION);
      assertThat(onlyCaptions.drawGeneration(i).kind()).isEqualTo(GenerationKind.CAPTION);
    }
    WorldTrainingData onlyMc = new WorldTrainingData(SPEC, 7,
        WorldDataOptions.defaults().withUnderstanding(3, 0, 0).withGeneration(1, 0));
    for (long i = 0; i < 100; i++) {
      assertThat(onlyMc.drawUnderstanding(i).kind()).isEqualTo(UnderstandingKind.MULTIPLE_CHOICE);
      assertThat(onlyMc.drawGeneration(i).kind()).isEqualTo(GenerationKind.GENEVAL);
    }
    assertThatThrownBy(() -> WorldDataOptions.defaults().withUnderstanding(0, 0, 0))
        .hasMessageContaining("understanding weight");
    assertThatThrownBy(() -> WorldDataOptions.defaults().withGeneration(-1, 1)).hasMessageContaining(">= 0");
  }

  @Test
  void vocabularyCoversTheDefaultSuitesAndEveryTrainingText() {
    Set<String> vocabulary = new HashSet<>();
    DATA.vocabularyCorpus().forEach(t -> vocabulary.addAll(tokens(t)));
    Set<String> suites = new HashSet<>();
    GenEvalSuite.defaultSuite().forEach(p -> suites.addAll(tokens(p.prompt())));
    for (MmbenchQuestion q : MmbenchSuite.questions(SPEC, MmbenchSuite.DEFAULT_SEED, MmbenchSuite.DEFAULT_QUESTIONS)) {
      suites.addAll(tokens(q.prompt()));
      suites.addAll(tokens(q.answer()));
    }
    assertThat(suites).contains("photo", "crosses", "select", "?", ":", ".", "relative");
    assertThat(vocabulary).containsAll(suites);
    Set<String> training = new HashSet<>();
    for (long i = 0; i < 1000; i++) {
      UnderstandingSample u = DATA.understanding(i);
      training.addAll(tokens(u.prompt()));
      training.addAll(tokens(u.answer()));
      training.addAll(tokens(DATA.generation(i).prompt()));
    }
    assertThat(vocabulary).containsAll(training);
    assertThat(DATA.vocabularyCorpus()).doesNotHaveDuplicates().isSameAs(DATA.vocabularyCorpus());
  }

  @Test
  void describeRecordsWhatReproducesTheData() {
    assertThat(DATA.describe()).isEqualTo("world(size=32, grid=4, seed=7, heldOut=[blue cross, purple square, "
        + "red triangle, yellow circle], mix=mc:0.75/caption:0.1/short:0.15, gen:geneval:0.7/caption:0.3, tokenizer:all)");
    assertThat(DATA.imageSize()).isEqualTo(32);
    WorldTrainingData big = new WorldTrainingData(WorldSpec.ofSize(64), 3);
    assertThat(big.imageSize()).isEqualTo(64);
    assertThat(big.understanding(0).image().getWidth()).isEqualTo(64);
    assertThat(big.generation(0).image().getHeight()).isEqualTo(64);
  }

  @Test
  void tokenizerImagesAreSeededAndCoverHeldOutCombinationsUnlessAskedNotTo() {
    List<BufferedImage> images = DATA.tokenizerImages(300, 11);
    assertThat(images).hasSize(300);
    assertThat(pixels(DATA.tokenizerImages(300, 11).get(299))).isEqualTo(pixels(images.get(299)));
    assertThat(pixels(DATA.tokenizerImages(300, 12).get(0))).isNotEqualTo(pixels(images.get(0)));
    assertThat(heldOutShown(images)).as("held-out objects for the codec to learn").isGreaterThan(0);
    WorldTrainingData strict = new WorldTrainingData(SPEC, 7, WorldDataOptions.defaults().withTokenizerSeesHeldOut(false));
    assertThat(heldOutShown(strict.tokenizerImages(300, 11))).isZero();
  }

  @Test
  void rejectsNegativeIndicesAndWorldsThatHoldOutAShapesColours() {
    assertThatThrownBy(() -> DATA.understanding(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DATA.generation(-1)).isInstanceOf(IllegalArgumentException.class);
    Set<ColorShape> allButRed = new HashSet<>();
    for (WorldColor color : WorldColor.values()) {
      if (color != WorldColor.RED) {
        allButRed.add(new ColorShape(color, Shape.CIRCLE));
      }
    }
    assertThatThrownBy(() -> new WorldTrainingData(new WorldSpec(32, 4, allButRed), 1))
        .hasMessageContaining("circle");
  }

  private static long heldOutShown(List<BufferedImage> images) {
    return images.stream().flatMap(i -> ANALYSER.analyse(i).objects().stream())
        .filter(o -> SPEC.heldOut().contains(new ColorShape(o.color(), o.shape()))).count();
  }

  static List<String> tokens(String text) {
    Matcher m = TOKEN.matcher(text.toLowerCase(Locale.ROOT));
    List<String> tokens = new java.util.ArrayList<>();
    while (m.find()) {
      tokens.add(m.group());
    }
    return tokens;
  }

  private static String key(UnderstandingSample s) {
    return s.prompt() + "|" + s.answer() + "|" + java.util.Arrays.hashCode(pixels(s.image()));
  }

  private static String key(GenerationSample s) {
    return s.prompt() + "|" + java.util.Arrays.hashCode(pixels(s.image()));
  }

  static int[] pixels(BufferedImage image) {
    return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
  }
}
