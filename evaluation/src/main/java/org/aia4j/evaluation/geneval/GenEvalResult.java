package org.aia4j.evaluation.geneval;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Objects;

/**
 * One line of {@code results.jsonl}, with GenEval's fields, so GenEval's own
 * {@code summary_scores.py} reads our results too.
 *
 * @param filename the image path
 * @param tag the prompt's tag
 * @param prompt the prompt text
 * @param correct whether the image satisfies every clause
 * @param reason GenEval's reasons it does not, one a line; empty when correct
 * @param metadata the prompt's metadata as a JSON string (Python {@code json.dumps}), the key by
 *     which prompts are grouped
 * @param details detections as a JSON string, GenEval's {@code {"class": [[x1, y1, x2, y2, score], ...]}}
 * @param rejected blobs the analyser did not accept as objects, as a JSON string (an aia4j
 *     addition: says why an image with a half-drawn object failed)
 */
@JsonPropertyOrder({"filename", "tag", "prompt", "correct", "reason", "metadata", "details", "rejected"})
public record GenEvalResult(String filename, String tag, String prompt, boolean correct, String reason,
    String metadata, String details, String rejected) {

  public GenEvalResult {
    Objects.requireNonNull(filename, "filename");
    Objects.requireNonNull(tag, "tag");
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(metadata, "metadata");
    details = details == null ? "{}" : details;
    rejected = rejected == null ? "[]" : rejected;
  }
}
