package org.aia4j.evaluation.geneval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.aia4j.evaluation.io.Images;
import org.aia4j.evaluation.io.JsonLines;
import org.aia4j.evaluation.world.Analysis;
import org.aia4j.evaluation.world.DetectedObject;
import org.aia4j.evaluation.world.RejectedBlob;
import org.aia4j.evaluation.world.SceneAnalyser;
import org.aia4j.evaluation.world.World;
import org.aia4j.evaluation.world.WorldSpec;

/**
 * Scores generated images the way GenEval's {@code evaluate_images.py} and
 * {@code summary_scores.py} do, with a {@link World}'s judge as the detector and
 * {@link GenEvalRules} as the rules.
 *
 * <p>An instance holds one world (at the images' size); it is not thread-safe.
 */
public final class GenEvalScorer {
  /** Per-image results file name, as GenEval's default {@code --outfile}. */
  public static final String RESULTS = "results.jsonl";

  /** Summary file name. */
  public static final String SUMMARY = "summary.json";

  private final World world;
  private final Map<Integer, World> bySize = new HashMap<>();

  /** @param world the world whose judge reads the images; the caller closes it */
  public GenEvalScorer(World world) {
    this.world = Objects.requireNonNull(world, "world");
    bySize.put(world.spec().imageSize(), world);
  }

  /**
   * Scores every sample of a GenEval image folder with {@code world}'s judge and writes {@code
   * outDir/results.jsonl} and {@code outDir/summary.json}. Everything is read and scored before
   * anything is written, and each file is written atomically, so bad input leaves no partial output.
   *
   * @throws IOException naming the path of a missing or malformed metadata file or image, or of
   *     an image whose size differs from the first one's or that the world cannot read
   */
  public static GenEvalSummary score(World world, Path imagesDir, Path outDir) throws IOException {
    List<GenEvalEntry> entries = GenEvalLayout.read(imagesDir);
    if (entries.isEmpty()) {
      throw new IOException(imagesDir + " holds no prompt folders (00000/metadata.jsonl, 00000/samples/0000.png ...)");
    }
    requireJudgeable(world, entries.stream().map(GenEvalEntry::prompt).toList());
    GenEvalScorer scorer = new GenEvalScorer(world);
    List<GenEvalResult> results = new ArrayList<>();
    int size = -1;
    for (GenEvalEntry entry : entries) {
      for (Path path : entry.images()) {
        BufferedImage image = Images.read(path);
        if (size < 0) {
          size = image.getWidth();
        }
        if (image.getWidth() != size || image.getHeight() != size) {
          throw new IOException(path + " is " + image.getWidth() + "x" + image.getHeight() + " but the first image is "
              + size + "x" + size + "; all images of a run must have one square size");
        }
        try {
          results.add(scorer.scoreImage(entry.prompt(), entry.metadata(), image, path.toString()));
        } catch (IllegalArgumentException e) {
          throw new IOException(path + ": " + e.getMessage(), e);
        }
      }
    }
    GenEvalSummary summary = summarise(results, size, imagesDir.toString(), settings(world));
    JsonLines.write(outDir.resolve(RESULTS), results);
    JsonLines.writeJson(outDir.resolve(SUMMARY), summary);
    return summary;
  }

  /** The scorer settings recorded in every summary: the judge (named with its accuracy) and the rules' thresholds. */
  public static GenEvalSummary.Scorer settings(World world) {
    return new GenEvalSummary.Scorer(world.name() + " world: " + world.judge(), SceneAnalyser.MIN_IOU,
        GenEvalRules.POSITION_THRESHOLD, GenEvalRules.MAX_OBJECTS_PER_CLASS);
  }

  /** Scores one image against {@code prompt} (its metadata string is the prompt's own line). */
  public GenEvalResult scoreImage(GenEvalPrompt prompt, BufferedImage image, String filename) {
    return scoreImage(prompt, prompt.toMetadataLine(), image, filename);
  }

  /**
   * Checks that {@code world}'s judge can judge every class the prompts name. Metadata may name
   * any class (the official GenEval's are COCO's, such as {@code bench}); a world's judge detects
   * only its own classes, so it says which classes it cannot judge instead of scoring them as absent.
   *
   * @throws IllegalArgumentException naming the classes it cannot judge, the ones it can, and the
   *     official scorer as the way to judge them
   */
  public static void requireJudgeable(World world, List<GenEvalPrompt> prompts) {
    requireJudgeable(world.name(), world.spec(), prompts);
  }

  /** {@link #requireJudgeable(World, List)} for a world's spec, before its judge is built. */
  public static void requireJudgeable(String worldName, WorldSpec spec, List<GenEvalPrompt> prompts) {
    Set<String> unknown = new TreeSet<>();
    for (GenEvalPrompt prompt : prompts) {
      for (GenEvalClause clause : prompt.include()) {
        if (clause.worldClass(spec).isEmpty()) {
          unknown.add(clause.className());
        }
      }
      for (GenEvalClause clause : prompt.exclude()) {
        if (clause.worldClass(spec).isEmpty()) {
          unknown.add(clause.className());
        }
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("The " + worldName + " world's judge cannot judge class"
          + (unknown.size() == 1 ? " " : "es ") + unknown.stream().map(c -> "'" + c + "'").collect(
              Collectors.joining(", "))
          + "; it detects only " + spec.classLabels() + ". Write the images with aia eval --images-only and score "
          + "them with the official GenEval (Mask2Former) on the folder layout aia4j writes.");
    }
  }

  /**
   * Scores one image.
   *
   * @param metadata the metadata string stored in the result and used to group prompts
   * @throws IllegalArgumentException if the image is not square or the world cannot be read at
   *     its size
   */
  public GenEvalResult scoreImage(GenEvalPrompt prompt, String metadata, BufferedImage image, String filename) {
    requireJudgeable(world, List.of(prompt));
    if (image.getHeight() != image.getWidth()) {
      throw new IllegalArgumentException("Image is " + image.getWidth() + "x" + image.getHeight()
          + "; the world's images are square");
    }
    World judge = bySize.computeIfAbsent(image.getWidth(), world::atSize);
    Analysis analysis = judge.analyse(image);
    Map<String, List<DetectedObject>> objects = GenEvalRules.byClass(analysis.objects(), world.spec().classes());
    GenEvalRules.Verdict verdict = GenEvalRules.evaluate(prompt, objects);
    return new GenEvalResult(filename, prompt.tag(), prompt.prompt(), verdict.correct(), verdict.reason(), metadata,
        details(objects), rejected(analysis.rejected()));
  }

  /** GenEval's details string: {@code {"circle": [[x1, y1, x2, y2, score], ...], ...}}. */
  private static String details(Map<String, List<DetectedObject>> objects) {
    ObjectNode node = JsonLines.MAPPER.createObjectNode();
    objects.forEach((className, detections) -> {
      ArrayNode boxes = node.putArray(className);
      for (DetectedObject object : detections) {
        ArrayNode box = boxes.addArray();
        for (double v : object.box().toXyxy()) {
          box.add(v);
        }
        box.add(object.score());
      }
    });
    return PythonJson.dumps(node);
  }

  private static String rejected(List<RejectedBlob> blobs) {
    ArrayNode node = JsonLines.MAPPER.createArrayNode();
    for (RejectedBlob blob : blobs) {
      ObjectNode entry = node.addObject();
      entry.put("color", blob.color().label());
      ArrayNode box = entry.putArray("box");
      for (double v : blob.box().toXyxy()) {
        box.add(v);
      }
      entry.put("pixels", blob.pixels());
      entry.put("reason", blob.reason());
    }
    return PythonJson.dumps(node);
  }

  /**
   * GenEval's {@code summary_scores.py}: per-tag accuracy in order of first appearance, overall =
   * their unweighted mean, share of correct images, and share of prompts (grouped by metadata
   * string) with at least one correct image.
   *
   * @param imageSize recorded in the summary
   * @param imagesDir recorded in the summary; may be {@code null}
   * @param scorer the judge and thresholds, recorded in the summary ({@link #settings})
   */
  public static GenEvalSummary summarise(List<GenEvalResult> results, int imageSize, String imagesDir,
      GenEvalSummary.Scorer scorer) {
    if (results.isEmpty()) {
      throw new IllegalArgumentException("No results to summarise");
    }
    Map<String, int[]> perTag = new LinkedHashMap<>();
    Map<String, Boolean> perPrompt = new LinkedHashMap<>();
    int correct = 0;
    for (GenEvalResult result : results) {
      int[] counts = perTag.computeIfAbsent(result.tag(), t -> new int[2]);
      counts[1]++;
      if (result.correct()) {
        counts[0]++;
        correct++;
      }
      perPrompt.merge(result.metadata(), result.correct(), Boolean::logicalOr);
    }
    Map<String, Double> tasks = new LinkedHashMap<>();
    Map<String, GenEvalSummary.TaskCount> taskCounts = new LinkedHashMap<>();
    perTag.forEach((tag, counts) -> {
      tasks.put(tag, counts[0] / (double) counts[1]);
      taskCounts.put(tag, new GenEvalSummary.TaskCount(counts[0], counts[1]));
    });
    double overall = tasks.values().stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    long promptsRight = perPrompt.values().stream().filter(b -> b).count();
    return new GenEvalSummary(overall, tasks, results.size(), perPrompt.size(), correct / (double) results.size(),
        promptsRight / (double) perPrompt.size(), taskCounts, imageSize, imagesDir, scorer);
  }
}
