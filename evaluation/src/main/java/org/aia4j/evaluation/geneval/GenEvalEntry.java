package org.aia4j.evaluation.geneval;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One prompt folder of a GenEval image folder: {@code <dir>/00012/metadata.jsonl} and its
 * {@code samples/*.png}.
 *
 * @param folder the prompt folder, e.g. {@code <dir>/00012}
 * @param prompt the parsed metadata
 * @param metadata the metadata as GenEval stores it in results (Python {@code json.dumps})
 * @param images sample images in sample order
 */
public record GenEvalEntry(Path folder, GenEvalPrompt prompt, String metadata, List<Path> images) {

  public GenEvalEntry {
    Objects.requireNonNull(folder, "folder");
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(metadata, "metadata");
    images = List.copyOf(images);
  }
}
