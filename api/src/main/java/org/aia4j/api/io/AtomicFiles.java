package org.aia4j.api.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes files through a temporary sibling and a rename, so a crash or a bad input never leaves a
 * half-written output where a good one was expected.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Atomically replaces {@code target} with {@code bytes}. */
  public static void write(Path target, byte[] bytes) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    try {
      Files.write(tmp, bytes);
      // Temporary files are created owner-only; the output is an ordinary file.
      readableByAll(tmp, false);
      move(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Atomically replaces {@code target} with UTF-8 {@code text}. */
  public static void writeString(Path target, String text) throws IOException {
    write(target, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Gives a file {@code rw-r--r--} (a directory {@code rwxr-xr-x}) where the file system has POSIX
   * permissions; temporary files and directories start owner-only.
   */
  public static void readableByAll(Path path, boolean directory) throws IOException {
    if (Files.getFileStore(path).supportsFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)) {
      Files.setPosixFilePermissions(path, java.nio.file.attribute.PosixFilePermissions.fromString(
          directory ? "rwxr-xr-x" : "rw-r--r--"));
    }
  }

  /** Renames {@code source} onto {@code target}, atomically where the file system allows. */
  public static void move(Path source, Path target) throws IOException {
    try {
      Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
