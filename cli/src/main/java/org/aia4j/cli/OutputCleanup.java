package org.aia4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.aia4j.api.io.AtomicDirectory;

/**
 * What an output folder held before a command ran, so a failed run can remove what it created
 * and nothing else: the whole folder if it did not exist, else only the new entries in it.
 */
final class OutputCleanup {
  private final Path out;
  private final boolean existed;
  private final Set<Path> before;

  private OutputCleanup(Path out, boolean existed, Set<Path> before) {
    this.out = out;
    this.existed = existed;
    this.before = before;
  }

  /** Records {@code out}'s state now. */
  static OutputCleanup before(Path out) throws IOException {
    if (!Files.isDirectory(out)) {
      return new OutputCleanup(out, Files.exists(out), Set.of());
    }
    try (Stream<Path> children = Files.list(out)) {
      return new OutputCleanup(out, true, children.collect(Collectors.toSet()));
    }
  }

  /** Deletes what appeared since {@link #before}; failures to delete are ignored (the run failed already). */
  void removeWhatWasCreated() {
    try {
      if (!existed) {
        AtomicDirectory.deleteTree(out);
      } else if (Files.isDirectory(out)) {
        try (Stream<Path> children = Files.list(out)) {
          for (Path child : children.filter(c -> !before.contains(c)).toList()) {
            AtomicDirectory.deleteTree(child);
          }
        }
      }
    } catch (IOException e) {
      // best effort: the command's own error is the one to report
    }
  }

  /** Deletes {@code out} if the command created it and left it empty. */
  void removeIfCreatedEmpty() {
    if (existed || !Files.isDirectory(out)) {
      return;
    }
    try (Stream<Path> children = Files.list(out)) {
      if (children.findAny().isEmpty()) {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      // best effort, as above
    }
  }
}
