package org.aia4j.evaluation.files;

import java.nio.file.Path;

/**
 * The rows the readers give before any image is decoded: each names where it came from, so an
 * error about it (a missing image, codes that do not fit) can name the file and line or index.
 */
final class FileRows {
  private FileRows() {}

  /**
   * An understanding row.
   *
   * @param origin e.g. {@code data/llava.json index 3} or {@code data/tok.jsonl line 7}
   * @param image the resolved image file, or null when the row carries {@code codes}
   * @param codes the image's codes, or null when the row names an {@code image}
   */
  record Understanding(String origin, Path image, int[] codes, String prompt, String answer) {}

  /**
   * A generation row.
   *
   * @param origin e.g. {@code data/gen.jsonl line 7}
   * @param image the resolved image file, or null when the row carries {@code codes}
   * @param codes the image's codes, or null when the row names an {@code image}
   */
  record Generation(String origin, String prompt, Path image, int[] codes) {}
}
