package org.aia4j.evaluation.files;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.aia4j.evaluation.fashion.FashionItems;
import org.aia4j.evaluation.fashion.FashionMnist;
import org.aia4j.evaluation.fashion.FashionPlacement;
import org.aia4j.evaluation.fashion.FashionScene;
import org.aia4j.evaluation.fashion.FashionSceneRenderer;
import org.aia4j.evaluation.fashion.FashionSceneSampler;
import org.aia4j.evaluation.fashion.FashionWorldSpec;
import org.aia4j.evaluation.io.JsonLines;
import org.aia4j.testkit.DebianDatasets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data set of real pictures (Fashion-MNIST scenes), written by hand as a user would, LLaVA JSON
 * and generation JSONL beside PNG files, read back by {@link FileTrainingData}.
 */
class FashionFilesTest {
  @TempDir
  Path tmp;

  @Test
  void fashionScenesWrittenAsLlavaAndJsonLinesReadBackAsTheyWere() throws IOException {
    Path dir = DebianDatasets.fashionMnist();
    FashionWorldSpec spec = FashionWorldSpec.standard();
    FashionItems train = FashionMnist.read(dir, FashionMnist.Split.TRAIN);
    FashionItems test = FashionMnist.read(dir, FashionMnist.Split.TEST);
    FashionSceneRenderer renderer = new FashionSceneRenderer(spec, train, test);
    FashionSceneSampler sampler = new FashionSceneSampler(spec, train, 11);
    Files.createDirectories(tmp.resolve("pictures"));
    JsonNodeFactory json = JsonNodeFactory.instance;
    ArrayNode conversations = json.arrayNode();
    List<ObjectNode> generation = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    int scenes = 12;
    for (int i = 0; i < scenes; i++) {
      FashionScene scene = sampler.sample();
      BufferedImage image = renderer.render(scene);
      String file = "pictures/scene-" + i + ".png";
      ImageIO.write(image, "png", tmp.resolve(file).toFile());
      String caption = scene.items().stream().map(FashionFilesTest::phrase).collect(Collectors.joining(" and "));
      ObjectNode entry = conversations.addObject().put("id", "scene-" + i).put("image", file);
      ArrayNode turns = entry.putArray("conversations");
      turns.addObject().put("from", "human").put("value", "<image>\nWhat does the picture show?");
      turns.addObject().put("from", "gpt").put("value", caption);
      generation.add(json.objectNode().put("prompt", caption).put("image", file));
      expected.add(caption + "|" + FileTrainingDataTest.pixels(image));
    }
    Path llava = tmp.resolve("fashion.json");
    JsonLines.writeJson(llava, conversations);
    Path jsonl = tmp.resolve("fashion.jsonl");
    JsonLines.write(jsonl, generation);

    FileTrainingData data = FileTrainingData.read(List.of(llava, jsonl), spec.imageSize(), 0);

    assertThat(data.understandingCount()).isEqualTo(scenes);
    assertThat(data.generationCount()).isEqualTo(scenes);
    List<String> understood = new ArrayList<>();
    List<String> generated = new ArrayList<>();
    for (int i = 0; i < scenes; i++) {
      assertThat(data.understanding(i).prompt()).isEqualTo("What does the picture show?");
      understood.add(data.understanding(i).answer() + "|" + FileTrainingDataTest.pixels(data.understanding(i).image()));
      generated.add(data.generation(i).prompt() + "|" + FileTrainingDataTest.pixels(data.generation(i).image()));
    }
    assertThat(understood).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(generated).containsExactlyInAnyOrderElementsOf(expected);
    // One image per scene, shared by its two rows: the tokenizer sample draws from twelve images.
    assertThat(data.tokenizerImages(scenes, 3).stream().map(FileTrainingDataTest::pixels).distinct()).hasSize(scenes);
  }

  private static String phrase(FashionPlacement item) {
    return "a " + item.tint().label() + " " + item.kind().label();
  }
}
