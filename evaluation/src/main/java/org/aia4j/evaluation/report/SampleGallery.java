package org.aia4j.evaluation.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.aia4j.evaluation.geneval.GenEvalLayout;
import org.aia4j.evaluation.geneval.GenEvalMetadata;
import org.aia4j.evaluation.geneval.GenEvalPrompt;
import org.aia4j.evaluation.io.Images;
import org.aia4j.evaluation.io.JsonLines;

/**
 * The first prompts of a GenEval image folder ({@link GenEvalLayout}) with their samples and the
 * scorer's verdicts from {@code results.jsonl}, for the report's image grid. Unlike {@link
 * GenEvalLayout#read}, which refuses an incomplete folder before scoring, this reader is for
 * looking: a missing or unreadable sample or metadata file becomes a note and is skipped.
 */
public final class SampleGallery {
  private static final Pattern DIGITS = Pattern.compile("\\d+");
  private static final Pattern SAMPLE = Pattern.compile("\\d+\\.png");

  private SampleGallery() {}

  /**
   * One prompt folder.
   *
   * @param index the folder number ({@code 00012} is 12)
   * @param tag the GenEval tag, empty if the metadata was unreadable
   * @param prompt the prompt text, empty if the metadata was unreadable
   * @param samples the readable samples in sample order
   */
  public record Prompt(int index, String tag, String prompt, List<Sample> samples) {
    public Prompt {
      Objects.requireNonNull(tag, "tag");
      Objects.requireNonNull(prompt, "prompt");
      samples = List.copyOf(samples);
    }
  }

  /**
   * One generated image.
   *
   * @param name the file name, e.g. {@code 0003.png}
   * @param png the file's bytes (a PNG, decoded once to check it)
   * @param width its width in pixels
   * @param height its height in pixels
   * @param correct the scorer's verdict, null when {@code results.jsonl} has none for it
   */
  public record Sample(String name, byte[] png, int width, int height, Boolean correct) {
    public Sample {
      Objects.requireNonNull(name, "name");
      png = png.clone();
    }

    @Override
    public byte[] png() {
      return png.clone();
    }
  }

  /**
   * Reads the first {@code limit} prompt folders of {@code imagesDir}.
   *
   * @param imagesDir a GenEval image folder ({@code RUN/geneval/images})
   * @param results GenEval's {@code results.jsonl}, may be missing (then borders are neutral)
   * @param limit the number of prompts to read
   * @param notes receives one line per thing skipped
   * @return the prompts, in folder order
   * @throws IOException only if {@code results.jsonl} exists but is malformed (named in the message)
   */
  public static List<Prompt> read(Path imagesDir, Path results, int limit, List<String> notes) throws IOException {
    if (!Files.isDirectory(imagesDir)) {
      notes.add("no generated images: " + imagesDir + " is missing");
      return List.of();
    }
    Map<String, Boolean> verdicts = verdicts(results, notes);
    List<Path> folders;
    try (Stream<Path> children = Files.list(imagesDir)) {
      folders = children
          .filter(p -> Files.isDirectory(p) && DIGITS.matcher(p.getFileName().toString()).matches())
          .sorted(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString())))
          .limit(limit)
          .toList();
    }
    List<Prompt> prompts = new ArrayList<>();
    for (Path folder : folders) {
      prompts.add(readPrompt(folder, verdicts, notes));
    }
    return prompts;
  }

  private static Prompt readPrompt(Path folder, Map<String, Boolean> verdicts, List<String> notes) throws IOException {
    int index = Integer.parseInt(folder.getFileName().toString());
    String tag = "";
    String text = "";
    Path metadata = folder.resolve(GenEvalLayout.METADATA);
    try {
      GenEvalPrompt prompt = GenEvalMetadata.parse(
          Files.readString(metadata, StandardCharsets.UTF_8).strip(), metadata.toString());
      tag = prompt.tag();
      text = prompt.prompt();
    } catch (IOException | RuntimeException e) {
      notes.add("prompt text unknown: cannot read " + metadata + " (" + message(e) + ")");
    }
    List<Sample> samples = new ArrayList<>();
    Path sampleDir = folder.resolve(GenEvalLayout.SAMPLES);
    List<Path> files = List.of();
    if (Files.isDirectory(sampleDir)) {
      try (Stream<Path> children = Files.list(sampleDir)) {
        files = children.filter(p -> SAMPLE.matcher(p.getFileName().toString()).matches())
            .sorted(Comparator.comparingLong(p -> sampleNumber(p)))
            .toList();
      }
    }
    if (files.isEmpty()) {
      notes.add("no sample images in " + sampleDir);
    }
    long expected = 0;
    for (Path file : files) {
      long number = sampleNumber(file);
      for (; expected < number; expected++) {
        notes.add("sample image is missing: " + sampleDir.resolve(String.format("%04d.png", expected)));
      }
      expected = number + 1;
      try {
        byte[] bytes = Files.readAllBytes(file);
        BufferedImage image = Images.fromBytes(bytes, file.toString());
        samples.add(new Sample(file.getFileName().toString(), bytes, image.getWidth(), image.getHeight(),
            verdicts.get(key(file))));
      } catch (IOException e) {
        notes.add("skipped an unreadable sample: " + message(e));
      }
    }
    return new Prompt(index, tag, text, samples);
  }

  private static long sampleNumber(Path file) {
    String name = file.getFileName().toString();
    return Long.parseLong(name.substring(0, name.length() - ".png".length()));
  }

  /** Verdicts by the last three path parts of the file name ({@code 00012/samples/0003.png}). */
  private static Map<String, Boolean> verdicts(Path results, List<String> notes) throws IOException {
    Map<String, Boolean> verdicts = new HashMap<>();
    if (!Files.isRegularFile(results)) {
      notes.add("no " + results + ": image borders show no verdict");
      return verdicts;
    }
    for (JsonNode row : JsonLines.read(results)) {
      String filename = row.path("filename").asText("");
      if (!filename.isEmpty() && row.path("correct").isBoolean()) {
        verdicts.put(key(Path.of(filename)), row.get("correct").asBoolean());
      }
    }
    return verdicts;
  }

  private static String key(Path file) {
    int n = file.getNameCount();
    return file.subpath(Math.max(0, n - 3), n).toString().replace('\\', '/');
  }

  private static String message(Exception e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
