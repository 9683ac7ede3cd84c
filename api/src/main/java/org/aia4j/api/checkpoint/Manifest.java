package org.aia4j.api.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A checkpoint directory's {@value #FILE_NAME}: one {@code <sha256>  <relative path>} line per
 * file, the format {@code sha256sum -c} reads. Loading verifies it first, so a corrupted or
 * truncated checkpoint is refused with the name of the file at fault instead of loading garbage.
 */
public final class Manifest {
  /** The manifest's file name inside a checkpoint directory. */
  public static final String FILE_NAME = "MANIFEST.sha256";

  private final Map<String, String> digests;

  private Manifest(Map<String, String> digests) {
    this.digests = digests;
  }

  /** File path (relative, '/'-separated) to its SHA-256 in hex, sorted by path. */
  public Map<String, String> digests() {
    return digests;
  }

  /** Hashes every regular file under {@code dir} except the manifest itself. */
  public static Manifest of(Path dir) throws IOException {
    Map<String, String> digests = new TreeMap<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String relative = dir.relativize(file).toString().replace('\\', '/');
        if (!relative.equals(FILE_NAME)) {
          digests.put(relative, sha256(file));
        }
      }
    }
    return new Manifest(digests);
  }

  /** Hashes {@code dir} and writes its manifest into it. */
  public static Manifest write(Path dir) throws IOException {
    Manifest manifest = of(dir);
    StringBuilder text = new StringBuilder();
    manifest.digests.forEach((path, digest) -> text.append(digest).append("  ").append(path).append('\n'));
    Files.writeString(dir.resolve(FILE_NAME), text.toString(), StandardCharsets.UTF_8);
    return manifest;
  }

  /** Reads the manifest of {@code dir} without checking the files. */
  public static Manifest read(Path dir) throws IOException {
    Path file = dir.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null,
          "not a complete aia4j checkpoint (no " + FILE_NAME + "; was it written by an interrupted run?)");
    }
    Map<String, String> digests = new LinkedHashMap<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      int split = line.indexOf("  ");
      if (split != 64 || !line.substring(0, 64).matches("[0-9a-f]{64}")) {
        throw new IOException(file + " line " + (i + 1) + ": expected '<sha256>  <path>', got '" + line + "'");
      }
      String path = line.substring(66);
      if (path.startsWith("/") || path.contains("..")) {
        throw new IOException(file + " line " + (i + 1) + ": path must stay inside the checkpoint: " + path);
      }
      digests.put(path, line.substring(0, 64));
    }
    return new Manifest(digests);
  }

  /**
   * Checks every file listed in the manifest of {@code dir} against its digest. A manifest that
   * lists nothing is refused: it would vouch for any content.
   *
   * @throws IOException naming the first missing or altered file
   */
  public static Manifest verify(Path dir) throws IOException {
    return verify(dir, List.of());
  }

  /**
   * Checks that the manifest of {@code dir} covers {@code required}, then every listed file
   * against its digest: a file the format needs but the manifest does not list would be read
   * unverified, so it is refused by name.
   *
   * @param required relative paths the manifest must list; one ending in {@code /} is a folder
   *     whose every regular file (on disk) must be listed, and which must hold at least one
   * @throws IOException naming the manifest and the unlisted file, or the first missing or
   *     altered file
   */
  public static Manifest verify(Path dir, List<String> required) throws IOException {
    Manifest manifest = read(dir);
    if (manifest.digests.isEmpty()) {
      throw new IOException(dir.resolve(FILE_NAME) + " lists no file, so it verifies nothing; re-create the checkpoint"
          + " (or write its manifest again with sha256sum over every file)");
    }
    for (String path : required) {
      manifest.requireListed(dir, path);
    }
    for (Map.Entry<String, String> entry : manifest.digests.entrySet()) {
      Path file = dir.resolve(entry.getKey());
      if (!Files.isRegularFile(file)) {
        throw new NoSuchFileException(file.toString(), null, "checkpoint file listed in " + FILE_NAME + " is missing");
      }
      String actual = sha256(file);
      if (!actual.equals(entry.getValue())) {
        throw new IOException("Checkpoint file " + file + " is corrupted or truncated: its SHA-256 is " + actual
            + " but " + FILE_NAME + " says " + entry.getValue() + ". Re-create or re-copy the checkpoint.");
      }
    }
    return manifest;
  }

  /**
   * Refuses a file (or, for a path ending in {@code /}, a folder's files) that this manifest does
   * not list.
   *
   * @throws IOException naming the manifest and what it lacks
   */
  public void requireListed(Path dir, String path) throws IOException {
    Path file = dir.resolve(FILE_NAME);
    if (!path.endsWith("/")) {
      if (!digests.containsKey(path)) {
        throw new IOException(file + " does not list " + path + ", which the format requires: the file would be"
            + " read unverified. The manifest is partial; re-create the checkpoint or its manifest");
      }
      return;
    }
    Path folder = dir.resolve(path);
    List<String> files = new java.util.ArrayList<>();
    if (Files.isDirectory(folder)) {
      try (Stream<Path> walk = Files.walk(folder)) {
        for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
          files.add(dir.relativize(f).toString().replace('\\', '/'));
        }
      }
    }
    List<String> listed = digests.keySet().stream().filter(p -> p.startsWith(path)).toList();
    if (files.isEmpty() && listed.isEmpty()) {
      throw new NoSuchFileException(folder.toString(), null, "the format requires this folder and "
          + FILE_NAME + " lists nothing in it");
    }
    for (String f : files) {
      if (!digests.containsKey(f)) {
        throw new IOException(file + " does not list " + f + ", which the format requires (every file in " + path
            + "): the file would be read unverified. The manifest is partial; re-create the checkpoint or its manifest");
      }
    }
  }

  /** The SHA-256 of a file in lower-case hex. */
  public static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
