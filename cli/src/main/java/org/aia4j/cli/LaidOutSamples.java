package org.aia4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aia4j.api.model.Task;
import org.aia4j.evaluation.files.FileTrainingData;
import org.aia4j.inference.checkpoint.ImportedTokenizers;
import org.aia4j.inference.checkpoint.TextModel;
import org.aia4j.inference.sequence.LayoutSequenceBuilder;
import org.aia4j.inference.sequence.TokenSequence;

/**
 * An imported model's samples of one task from data files, laid out in its recorded image layout
 * (in file order): what {@code aia profile --data} and {@code aia align --data} measure it on.
 *
 * @param sequences the samples, each fitting the model's context
 * @param data the files, described
 * @param layout the layout's name
 */
record LaidOutSamples(List<TokenSequence> sequences, String data, String layout) {

  /**
   * @param samples at most this many, the files' first
   * @throws IllegalArgumentException if the files hold no sample of the task, or one lays out
   *     longer than the model's context; without a recorded layout, saying how to record one
   * @throws IOException naming the file at fault
   */
  static LaidOutSamples read(Path checkpoint, TextModel model, List<Path> data, Task task, int samples)
      throws IOException {
    LayoutSequenceBuilder layout = ImportedTokenizers.read(checkpoint, model.model().vocabSize()).sequences(checkpoint);
    FileTrainingData files = FileTrainingData.read(data, ModelLoading.dataImageSize(checkpoint), 0);
    int available = task == Task.UNDERSTANDING ? files.understandingCount() : files.generationCount();
    if (available == 0) {
      throw new IllegalArgumentException("The --data files " + files.files() + " hold no " + task.shortName()
          + " samples");
    }
    List<TokenSequence> sequences = new ArrayList<>();
    for (int i = 0; i < Math.min(samples, available); i++) {
      TokenSequence sequence = task == Task.UNDERSTANDING ? layout.understanding(files.understandingRow(i))
          : layout.generation(files.generationRow(i), false);
      if (sequence.length() > model.model().maxLength()) {
        throw new IllegalArgumentException(task.shortName() + " sample " + i + " lays out as " + sequence.length()
            + " tokens, more than the model's " + model.model().maxLength());
      }
      sequences.add(sequence);
    }
    return new LaidOutSamples(List.copyOf(sequences), files.describe(), layout.layout().layout().name());
  }
}
