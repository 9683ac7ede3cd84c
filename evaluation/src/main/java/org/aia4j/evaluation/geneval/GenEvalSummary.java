package org.aia4j.evaluation.geneval;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code summary.json}: GenEval's {@code summary_scores.py} figures plus what produced them.
 *
 * @param overall the GenEval score: unweighted mean of the tag accuracies
 * @param tasks accuracy (share of correct images) per tag, in order of first appearance
 * @param images number of images scored
 * @param prompts number of distinct prompts (by metadata string)
 * @param correctImages share of correct images
 * @param correctPrompts share of prompts with at least one correct image (GenEval's "% correct
 *     prompts")
 * @param taskCounts correct and total images per tag
 * @param imageSize side of the scored images in pixels
 * @param imagesDir the folder scored, or {@code null} for results scored in memory
 * @param scorer the detector and rule settings
 */
@JsonPropertyOrder({"overall", "tasks", "images", "prompts", "correct_images", "correct_prompts", "task_counts",
    "image_size", "images_dir", "scorer"})
public record GenEvalSummary(
    double overall,
    Map<String, Double> tasks,
    int images,
    int prompts,
    @JsonProperty("correct_images") double correctImages,
    @JsonProperty("correct_prompts") double correctPrompts,
    @JsonProperty("task_counts") Map<String, TaskCount> taskCounts,
    @JsonProperty("image_size") int imageSize,
    @JsonProperty("images_dir") String imagesDir,
    Scorer scorer) {

  public GenEvalSummary {
    tasks = Collections.unmodifiableMap(new LinkedHashMap<>(tasks));
    taskCounts = Collections.unmodifiableMap(new LinkedHashMap<>(taskCounts));
  }

  /** Correct and total images of one tag. */
  public record TaskCount(int correct, int total) {}

  /** The settings that produced the verdicts. */
  public record Scorer(
      String detector,
      @JsonProperty("min_iou") double minIou,
      @JsonProperty("position_threshold") double positionThreshold,
      @JsonProperty("max_objects") int maxObjects) {}
}
