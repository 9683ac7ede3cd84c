package org.aia4j.djl.judge;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * What a trained judge is and how good it is, written beside its weights as {@code judge.json}:
 * everything that made it (settings, world, the dataset files' SHA-256) and its test-split
 * accuracy with the confusion matrix, so every score made with it can name it.
 *
 * @param format the file's format version; 2 since the network reads a cell's ink, not its colours (a format-1 judge is retrained)
 * @param settings how it was trained
 * @param grid the world's cells per side
 * @param cellSize the world's cell size in pixels
 * @param labels the judge's outputs in order: the world's class nouns, then {@code empty}
 * @param dataset the Fashion-MNIST file names and their SHA-256
 * @param trainingCells cells trained on per epoch
 * @param testAccuracy the share of test-split cells read right
 * @param confusion {@code confusion[truth][read]} counts over the test-split cells, in label order
 * @param seconds training time
 */
public record JudgeCard(
    int format,
    JudgeSettings settings,
    int grid,
    @JsonProperty("cell_size") int cellSize,
    List<String> labels,
    Map<String, String> dataset,
    @JsonProperty("training_cells") int trainingCells,
    @JsonProperty("test_accuracy") double testAccuracy,
    int[][] confusion,
    double seconds) {

  /** The current {@link #format}. */
  public static final int FORMAT = 2;

  /** @return the share of test cells with truth {@code label} that were read as it */
  public double recall(int label) {
    int total = 0;
    for (int count : confusion[label]) {
      total += count;
    }
    return total == 0 ? Double.NaN : confusion[label][label] / (double) total;
  }

  /** @return whether a judge described by this card was made the same way as {@code other} */
  boolean sameRecipe(JudgeCard other) {
    return format == other.format && settings.equals(other.settings) && grid == other.grid
        && cellSize == other.cellSize && labels.equals(other.labels) && dataset.equals(other.dataset);
  }
}
