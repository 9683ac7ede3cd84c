package org.aia4j.evaluation.files;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import javax.imageio.ImageIO;
import org.aia4j.api.data.GenerationSample;
import org.aia4j.api.data.TrainingData;
import org.aia4j.api.data.UnderstandingSample;
import org.aia4j.api.io.AtomicDirectory;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.evaluation.io.JsonLines;

/**
 * Writes samples of any {@link TrainingData} as a data set {@link FileTrainingData} reads back:
 *
 * <pre>
 *   out/understanding.json    LLaVA conversations, one human/gpt pair per sample
 *   out/generation.jsonl      {"prompt": ..., "image": "images/gen-000000.png"} per line
 *   out/tokenized.jsonl       pre-tokenized rows, for samples that carry image codes
 *   out/images/*.png          the images, lossless
 * </pre>
 *
 * A file is written only when it has rows. The folder is written whole or not at all ({@link
 * AtomicDirectory}): the files go into a hidden sibling that is renamed to {@code out} once
 * complete, so a failed export leaves no half data set; an {@code out} that already holds files
 * is refused.
 */
public final class TrainingDataWriter {
  /** The LLaVA conversation file's name. */
  public static final String UNDERSTANDING_FILE = "understanding.json";
  /** The generation JSON Lines file's name. */
  public static final String GENERATION_FILE = "generation.jsonl";
  /** The pre-tokenized JSON Lines file's name. */
  public static final String TOKENIZED_FILE = "tokenized.jsonl";
  /** The images' folder. */
  public static final String IMAGES = "images";

  /**
   * What an export wrote.
   *
   * @param files the data files written, to pass to {@link FileTrainingData#read} (or {@code aia train --data})
   */
  public record Written(Path dir, List<Path> files, int understanding, int generation) {}

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private TrainingDataWriter() {}

  /**
   * Writes understanding samples {@code [0, understanding)} and generation samples {@code [0,
   * generation)} of {@code data} with their images as PNG files (samples carrying codes go to
   * {@value #TOKENIZED_FILE}).
   *
   * @throws java.nio.file.FileAlreadyExistsException if {@code out} holds files
   */
  public static Written write(TrainingData data, int understanding, int generation, Path out) throws IOException {
    return export(data, understanding, generation, out, null);
  }

  /**
   * Writes the samples pre-tokenized: every image encoded by {@code tokenizer}, all rows in
   * {@value #TOKENIZED_FILE}, no image files. This is the format for data whose image tokenizer
   * runs outside aia4j.
   */
  public static Written writeTokenized(TrainingData data, int understanding, int generation, ImageTokenizer tokenizer,
      Path out) throws IOException {
    Objects.requireNonNull(tokenizer, "tokenizer");
    return export(data, understanding, generation, out, tokenizer::encode);
  }

  private static Written export(TrainingData data, int understanding, int generation, Path out,
      Function<BufferedImage, int[]> encoder) throws IOException {
    if (understanding < 0 || generation < 0 || understanding + generation == 0) {
      throw new IllegalArgumentException("Export at least one sample, got " + understanding + " understanding and "
          + generation + " generation samples");
    }
    List<String> names = new ArrayList<>();
    AtomicDirectory.write(out, false, staging -> {
      Files.createDirectories(staging.resolve(IMAGES));
      ArrayNode conversations = JSON.arrayNode();
      List<ObjectNode> generationRows = new ArrayList<>();
      List<ObjectNode> tokenizedRows = new ArrayList<>();
      for (int i = 0; i < understanding; i++) {
        UnderstandingSample sample = data.understanding(i);
        int[] codes = sample.isTokenized() ? sample.imageCodes() : encoder == null ? null : encoder.apply(sample.image());
        if (codes != null) {
          tokenizedRows.add(JSON.objectNode().put("task", "understanding").<ObjectNode>set("codes", codes(codes))
              .put("prompt", sample.prompt()).put("answer", sample.answer()));
        } else {
          String id = id("und", i);
          String image = png(staging, id, sample.image());
          ObjectNode entry = conversations.addObject().put("id", id).put("image", image);
          ArrayNode turns = entry.putArray("conversations");
          turns.addObject().put("from", "human").put("value", LlavaConversations.IMAGE_PLACEHOLDER + "\n" + sample.prompt());
          turns.addObject().put("from", "gpt").put("value", sample.answer());
        }
      }
      for (int i = 0; i < generation; i++) {
        GenerationSample sample = data.generation(i);
        int[] codes = sample.isTokenized() ? sample.imageCodes() : encoder == null ? null : encoder.apply(sample.image());
        if (codes != null) {
          tokenizedRows.add(JSON.objectNode().put("task", "generation").put("prompt", sample.prompt())
              .set("codes", codes(codes)));
        } else {
          String image = png(staging, id("gen", i), sample.image());
          generationRows.add(JSON.objectNode().put("prompt", sample.prompt()).put("image", image));
        }
      }
      if (!conversations.isEmpty()) {
        JsonLines.writeJson(staging.resolve(UNDERSTANDING_FILE), conversations);
        names.add(UNDERSTANDING_FILE);
      }
      if (!generationRows.isEmpty()) {
        JsonLines.write(staging.resolve(GENERATION_FILE), generationRows);
        names.add(GENERATION_FILE);
      }
      if (!tokenizedRows.isEmpty()) {
        JsonLines.write(staging.resolve(TOKENIZED_FILE), tokenizedRows);
        names.add(TOKENIZED_FILE);
      }
    });
    return new Written(out, names.stream().map(out::resolve).toList(), understanding, generation);
  }

  private static String id(String task, int index) {
    return String.format(Locale.ROOT, "%s-%06d", task, index);
  }

  /** Writes the image as {@code images/<id>.png} and returns that path relative to the data files. */
  private static String png(Path staging, String id, BufferedImage image) throws IOException {
    String relative = IMAGES + "/" + id + ".png";
    if (!ImageIO.write(image, "png", staging.resolve(relative).toFile())) {
      throw new IOException("No PNG writer for " + relative);
    }
    return relative;
  }

  private static ArrayNode codes(int[] codes) {
    ArrayNode array = JSON.arrayNode(codes.length);
    for (int code : codes) {
      array.add(code);
    }
    return array;
  }
}
