package org.aia4j.evaluation.geneval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.aia4j.evaluation.io.Images;
import org.aia4j.evaluation.world.Shape;
import org.aia4j.evaluation.world.ShapesWorld;
import org.aia4j.evaluation.world.WorldColor;
import org.aia4j.evaluation.world.WorldSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenEvalLayoutTest {
  private static final GenEvalPrompt CIRCLE = GenEvalSuite.singleObject(Shape.CIRCLE);
  private static final GenEvalPrompt RED_SQUARE = GenEvalSuite.colors(Shape.SQUARE, WorldColor.RED);

  @TempDir
  Path tmp;

  @Test
  void layoutRoundTrip() throws IOException {
    GenEvalOracle oracle = new GenEvalOracle(WorldSpec.standard());
    List<BufferedImage> circles = oracle.images(CIRCLE, 0, 3, 1);
    List<BufferedImage> squares = oracle.images(RED_SQUARE, 1, 2, 1);
    Path dir = tmp.resolve("images");
    GenEvalLayout.writePrompt(dir, 0, CIRCLE, circles);
    GenEvalLayout.writePrompt(dir, 1, RED_SQUARE, squares);
    Files.writeString(dir.resolve("results.jsonl"), ""); // anything else at the top is ignored, as by GenEval

    assertThat(Files.readString(dir.resolve("00001/metadata.jsonl"))).isEqualTo(RED_SQUARE.toMetadataLine());
    assertThat(dir.resolve("00000/samples/0002.png")).isRegularFile();
    List<GenEvalEntry> entries = GenEvalLayout.read(dir);
    assertThat(entries).extracting(GenEvalEntry::prompt).containsExactly(CIRCLE, RED_SQUARE);
    assertThat(entries).extracting(GenEvalEntry::metadata)
        .containsExactly(CIRCLE.toMetadataLine(), RED_SQUARE.toMetadataLine());
    assertThat(entries.get(0).images()).extracting(p -> dir.relativize(p).toString().replace('\\', '/'))
        .containsExactly("00000/samples/0000.png", "00000/samples/0001.png", "00000/samples/0002.png");
    assertThat(pixels(Images.read(entries.get(1).images().get(1)))).isEqualTo(pixels(squares.get(1)));
  }

  @Test
  void readsTheFiveDigitSampleNamesOfGenEvalsDiffusersScript() throws IOException {
    Path dir = tmp.resolve("images");
    GenEvalLayout.writePrompt(dir, 0, CIRCLE, List.of());
    BufferedImage image = new GenEvalOracle(WorldSpec.standard()).images(CIRCLE, 0, 1, 1).get(0);
    Images.writePng(image, dir.resolve("00000/samples/00000.png"));
    Images.writePng(image, dir.resolve("00000/samples/00001.png"));
    Files.writeString(dir.resolve("00000/grid.png"), "not read");

    assertThat(GenEvalLayout.read(dir).get(0).images()).extracting(p -> p.getFileName().toString())
        .containsExactly("00000.png", "00001.png");
  }

  @Test
  void missingMetadataNamesItsPath() throws IOException {
    Path dir = tmp.resolve("images");
    GenEvalLayout.writePrompt(dir, 0, CIRCLE, new GenEvalOracle(WorldSpec.standard()).images(CIRCLE, 0, 1, 1));
    Files.delete(dir.resolve("00000/metadata.jsonl"));

    assertThatThrownBy(() -> GenEvalLayout.read(dir))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(dir.resolve("00000/metadata.jsonl").toString());
  }

  @Test
  void missingImageNamesItsPath() throws IOException {
    Path dir = tmp.resolve("images");
    GenEvalLayout.writePrompt(dir, 3, CIRCLE, new GenEvalOracle(WorldSpec.standard()).images(CIRCLE, 0, 4, 1));
    Files.delete(dir.resolve("00003/samples/0001.png"));

    assertThatThrownBy(() -> GenEvalLayout.read(dir))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(dir.resolve("00003/samples/0001.png").toString());

    Path empty = tmp.resolve("empty");
    GenEvalLayout.writePrompt(empty, 0, CIRCLE, List.of());
    assertThatThrownBy(() -> GenEvalLayout.read(empty))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(empty.resolve("00000/samples/0000.png").toString());
  }

  @Test
  void renderWritesAllOrNothing() throws IOException {
    Path metadata = tmp.resolve("evaluation_metadata.jsonl");
    Files.writeString(metadata, CIRCLE.toMetadataLine() + "\n" + RED_SQUARE.toMetadataLine() + "\n"
        + "{\"tag\": \"single_object\", \"include\": [{\"class\": \"bench\", \"count\": 1}], \"prompt\": \"a bench\"}\n");
    Path out = tmp.resolve("out");

    // The oracle draws only the world's shapes: a bench is named before any image is written.
    assertThatThrownBy(() -> GenEvalOracle.render(ShapesWorld.standard(), metadata, out, 2, 32, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot judge class 'bench'");
    assertThat(out).doesNotExist();

    // 17 circles cannot fit 16 slots: found before any image is written.
    GenEvalMetadata.write(metadata, List.of(CIRCLE, GenEvalPrompt.of("counting", "17 circles",
        GenEvalClause.of(Shape.CIRCLE, 17))));
    assertThatThrownBy(() -> GenEvalOracle.render(ShapesWorld.standard(), metadata, out, 2, 32, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs 17 objects");
    assertThat(out).doesNotExist();
    try (var children = Files.list(tmp)) {
      assertThat(children.map(p -> p.getFileName().toString())).containsExactly("evaluation_metadata.jsonl");
    }

    GenEvalMetadata.write(metadata, List.of(CIRCLE));
    assertThat(GenEvalOracle.render(ShapesWorld.standard(), metadata, out, 2, 32, 1)).isEqualTo(1);
    assertThat(GenEvalLayout.read(out)).hasSize(1);
    assertThatThrownBy(() -> GenEvalOracle.render(ShapesWorld.standard(), metadata, out, 2, 32, 1))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining("not empty");
  }

  @Test
  void renderIsReproducible() throws IOException {
    Path metadata = tmp.resolve("evaluation_metadata.jsonl");
    GenEvalMetadata.write(metadata, List.of(CIRCLE, RED_SQUARE));
    GenEvalOracle.render(ShapesWorld.standard(), metadata, tmp.resolve("a"), 2, 32, 5);
    GenEvalOracle.render(ShapesWorld.standard(), metadata, tmp.resolve("b"), 2, 32, 5);

    assertThat(Files.readAllBytes(tmp.resolve("a/00001/samples/0001.png")))
        .isEqualTo(Files.readAllBytes(tmp.resolve("b/00001/samples/0001.png")));
  }

  private static int[] pixels(BufferedImage image) {
    return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
  }
}
