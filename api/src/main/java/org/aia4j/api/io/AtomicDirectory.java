package org.aia4j.api.io;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Creates a directory with all its content or not at all: a writer fills a hidden staging
 * sibling, which replaces the target by rename only once complete. A crash mid-write leaves the
 * previous target intact and at worst a stray {@code .name.*} staging folder.
 */
public final class AtomicDirectory {
  private AtomicDirectory() {}

  /** Fills a staging directory. */
  @FunctionalInterface
  public interface Writer {
    /** Writes the directory's content into {@code staging}. */
    void write(Path staging) throws IOException;
  }

  /**
   * Writes {@code target} through {@code writer}.
   *
   * @param replace whether an existing non-empty {@code target} may be replaced; if false it is
   *     refused with {@link FileAlreadyExistsException}
   */
  public static void write(Path target, boolean replace, Writer writer) throws IOException {
    Path absolute = target.toAbsolutePath().normalize();
    if (!replace && isNonEmpty(absolute)) {
      throw new FileAlreadyExistsException(absolute.toString(), null, "output folder already exists and is not empty; choose a new one or delete it");
    }
    Files.createDirectories(absolute.getParent());
    Path staging = Files.createTempDirectory(absolute.getParent(), "." + absolute.getFileName() + ".");
    Path old = null;
    try {
      AtomicFiles.readableByAll(staging, true);
      writer.write(staging);
      if (Files.exists(absolute)) {
        old = Files.createTempDirectory(absolute.getParent(), "." + absolute.getFileName() + ".old.");
        Files.delete(old);
        move(absolute, old);
      }
      move(staging, absolute);
    } catch (IOException | RuntimeException e) {
      if (old != null && !Files.exists(absolute)) {
        move(old, absolute);
        old = null;
      }
      throw e;
    } finally {
      deleteTree(staging);
      if (old != null) {
        deleteTree(old);
      }
    }
  }

  /** Deletes a file tree if it exists. */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  private static boolean isNonEmpty(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return false;
    }
    if (!Files.isDirectory(dir)) {
      return true;
    }
    try (Stream<Path> children = Files.list(dir)) {
      return children.findAny().isPresent();
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }
}
