package org.aia4j.api.io;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Creates a directory with all its content or not at all, and replaces one so that at every
 * instant a complete version (the old or the new) exists on disk under a name {@link #recover}
 * knows.
 *
 * <p>A write goes through hidden siblings of the target {@code name}:
 *
 * <pre>
 *   .name.tmp.N     the writer fills it; incomplete until renamed
 *   .name.ready.N   complete new content (renamed from .tmp once the writer returned)
 *   .name.old.N     the previous target, moved aside just before .ready takes its place
 * </pre>
 *
 * The steps are: fill {@code .tmp}, rename it to {@code .ready}, rename the target to {@code
 * .old}, rename {@code .ready} to the target, delete {@code .old}. A crash (a kill, a power cut)
 * between any two steps leaves either the target itself or a complete {@code .ready} or {@code
 * .old} folder; {@link #recover} (run by every {@link #write} and by checkpoint readers) puts the
 * newest complete one back at the target and deletes the leftovers. One writer per target at a
 * time is assumed: a second process writing the same target concurrently may find the first's
 * folders and remove them.
 */
public final class AtomicDirectory {
  private AtomicDirectory() {}

  /** Called after each step of {@link #write} with its name; tests use it to crash there. */
  interface StepHook {
    void after(String step) throws IOException;
  }

  /** Test seam: a crash injected between the steps (see AtomicDirectoryCrashTest). */
  static volatile StepHook hook = step -> {};

  /** Fills a staging directory. */
  @FunctionalInterface
  public interface Writer {
    /** Writes the directory's content into {@code staging}. */
    void write(Path staging) throws IOException;
  }

  /** Decides whether a staging folder of an older aia4j (no {@code .ready} step) is complete. */
  @FunctionalInterface
  public interface Validator {
    /** @return true if {@code dir} holds a complete, verified directory */
    boolean isComplete(Path dir);
  }

  /**
   * What {@link #recover} did.
   *
   * @param restoredFrom the sibling moved back to the target, if the target was missing
   * @param removed the stale siblings deleted
   */
  public record Recovery(Optional<Path> restoredFrom, List<Path> removed) {
    public Recovery {
      removed = List.copyOf(removed);
    }
  }

  /**
   * Writes {@code target} through {@code writer}.
   *
   * @param replace whether an existing non-empty {@code target} may be replaced; if false it is
   *     refused with {@link FileAlreadyExistsException}
   */
  public static void write(Path target, boolean replace, Writer writer) throws IOException {
    Path absolute = target.toAbsolutePath().normalize();
    Files.createDirectories(absolute.getParent());
    recover(absolute, dir -> false);
    if (!replace && isNonEmpty(absolute)) {
      throw new FileAlreadyExistsException(absolute.toString(), null, "output folder already exists and is not empty; choose a new one or delete it");
    }
    String name = absolute.getFileName().toString();
    Path staging = Files.createTempDirectory(absolute.getParent(), "." + name + ".tmp.");
    Path ready = null;
    Path old = null;
    boolean done = false;
    try {
      AtomicFiles.readableByAll(staging, true);
      writer.write(staging);
      ready = sibling(absolute, "ready", staging);
      move(staging, ready);
      hook.after("ready");
      if (Files.exists(absolute)) {
        old = sibling(absolute, "old", staging);
        move(absolute, old);
        hook.after("old");
      }
      move(ready, absolute);
      ready = null;
      hook.after("target");
      done = true;
    } catch (IOException | RuntimeException e) {
      if (old != null && !Files.exists(absolute)) {
        move(old, absolute);
        old = null;
      }
      throw e;
    } finally {
      deleteTree(staging);
      if (ready != null) {
        deleteTree(ready);
      }
      if (old != null && (done || Files.exists(absolute))) {
        deleteTree(old);
      }
    }
  }

  /** A sibling {@code .name.kind.N}, N the staging folder's random number. */
  private static Path sibling(Path target, String kind, Path staging) {
    String stagingName = staging.getFileName().toString();
    String number = stagingName.substring(stagingName.lastIndexOf('.') + 1);
    return target.resolveSibling("." + target.getFileName() + "." + kind + "." + number);
  }

  /**
   * Brings {@code target} back after an interrupted {@link #write} and removes its stale
   * siblings. If the target is missing, the newest complete sibling takes its place: a {@code
   * .ready} folder (the new content), else a {@code .old} one (the previous content), else a
   * staging folder of an older aia4j that {@code legacy} says is complete. Then every {@code
   * .tmp}, {@code .ready} and {@code .old} sibling left is deleted (and legacy staging folders).
   *
   * @param legacy judges staging folders written before the {@code .ready} step existed, whose
   *     completeness their name does not tell
   * @return what was restored and removed
   */
  public static Recovery recover(Path target, Validator legacy) throws IOException {
    Path absolute = target.toAbsolutePath().normalize();
    Path parent = absolute.getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      return new Recovery(Optional.empty(), List.of());
    }
    String name = absolute.getFileName().toString();
    Pattern ours = Pattern.compile("\\." + Pattern.quote(name) + "\\.(tmp|ready|old)\\.(\\d+)");
    Pattern older = Pattern.compile("\\." + Pattern.quote(name) + "\\.(\\d+)");
    List<Path> ready = new ArrayList<>();
    List<Path> old = new ArrayList<>();
    List<Path> stale = new ArrayList<>();
    List<Path> legacyStaging = new ArrayList<>();
    try (Stream<Path> children = Files.list(parent)) {
      for (Path child : children.filter(Files::isDirectory).toList()) {
        String childName = child.getFileName().toString();
        Matcher m = ours.matcher(childName);
        if (m.matches()) {
          switch (m.group(1)) {
            case "ready" -> ready.add(child);
            case "old" -> old.add(child);
            default -> stale.add(child);
          }
        } else if (older.matcher(childName).matches()) {
          legacyStaging.add(child);
        }
      }
    }
    Comparator<Path> newestFirst = Comparator.comparing(AtomicDirectory::modified).reversed();
    ready.sort(newestFirst);
    old.sort(newestFirst);
    legacyStaging.sort(newestFirst);
    Optional<Path> restored = Optional.empty();
    if (!Files.exists(absolute)) {
      List<Path> candidates = new ArrayList<>(ready);
      candidates.addAll(old);
      for (Path staging : legacyStaging) {
        if (legacy.isComplete(staging)) {
          candidates.add(staging);
        }
      }
      if (!candidates.isEmpty()) {
        move(candidates.get(0), absolute);
        restored = Optional.of(candidates.get(0));
      }
    }
    List<Path> removed = new ArrayList<>();
    for (List<Path> group : List.of(stale, ready, old, legacyStaging)) {
      for (Path dir : group) {
        if (Files.exists(dir)) {
          deleteTree(dir);
          removed.add(dir);
        }
      }
    }
    return new Recovery(restored, removed);
  }

  private static long modified(Path dir) {
    try {
      return Files.getLastModifiedTime(dir).toMillis();
    } catch (IOException e) {
      return Long.MIN_VALUE;
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
