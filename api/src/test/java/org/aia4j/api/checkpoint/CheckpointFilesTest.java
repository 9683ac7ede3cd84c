package org.aia4j.api.checkpoint;

import org.aia4j.api.io.AtomicDirectory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFilesTest {
  @TempDir
  Path tmp;

  private Path checkpoint(String name) throws IOException {
    Path dir = tmp.resolve(name);
    AtomicDirectory.write(dir, false, staging -> {
      Files.writeString(staging.resolve("config.json"), "{\"layers\": 2}");
      Files.createDirectories(staging.resolve("tokenizers"));
      Files.write(staging.resolve("tokenizers/image.json"), new byte[] {1, 2, 3});
      Manifest.write(staging);
    });
    return dir;
  }

  @Test
  void manifestListsEveryFileAndVerifiesThem() throws IOException {
    Path dir = checkpoint("ok");
    Manifest manifest = Manifest.verify(dir);
    assertThat(manifest.digests()).containsOnlyKeys("config.json", "tokenizers/image.json");
    assertThat(manifest.digests().get("config.json")).isEqualTo(Manifest.sha256(dir.resolve("config.json")));
    // sha256sum's format: digest, two spaces, path.
    assertThat(Files.readAllLines(dir.resolve(Manifest.FILE_NAME)))
        .contains(manifest.digests().get("config.json") + "  config.json");
  }

  @Test
  void corruptedTruncatedOrMissingFilesAreNamed() throws IOException {
    Path corrupted = checkpoint("corrupted");
    Files.writeString(corrupted.resolve("config.json"), "{\"layers\": 3}");
    assertThatThrownBy(() -> Manifest.verify(corrupted)).isInstanceOf(IOException.class)
        .hasMessageContaining("config.json is corrupted or truncated");

    Path truncated = checkpoint("truncated");
    Files.write(truncated.resolve("tokenizers/image.json"), new byte[] {1, 2});
    assertThatThrownBy(() -> Manifest.verify(truncated)).hasMessageContaining("image.json is corrupted or truncated");

    Path missing = checkpoint("missing");
    Files.delete(missing.resolve("tokenizers/image.json"));
    assertThatThrownBy(() -> Manifest.verify(missing)).isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("image.json");

    Path noManifest = checkpoint("nomanifest");
    Files.delete(noManifest.resolve(Manifest.FILE_NAME));
    assertThatThrownBy(() -> Manifest.verify(noManifest)).hasMessageContaining("not a complete aia4j checkpoint");

    Path escaping = checkpoint("escaping");
    Files.writeString(escaping.resolve(Manifest.FILE_NAME), "0".repeat(64) + "  ../../etc/passwd\n");
    assertThatThrownBy(() -> Manifest.verify(escaping)).hasMessageContaining("must stay inside the checkpoint");
  }

  @Test
  void aFailedWriteLeavesThePreviousDirectoryIntactAndNoStagingBehind() throws IOException {
    Path dir = checkpoint("keep");
    assertThatThrownBy(() -> AtomicDirectory.write(dir, true, staging -> {
      Files.writeString(staging.resolve("config.json"), "half");
      throw new IOException("disk full (simulated)");
    })).hasMessageContaining("disk full");
    Manifest.verify(dir);
    assertThat(Files.readString(dir.resolve("config.json"))).isEqualTo("{\"layers\": 2}");
    try (Stream<Path> siblings = Files.list(tmp)) {
      assertThat(siblings.map(p -> p.getFileName().toString())).containsExactly("keep");
    }
  }

  @Test
  void outputsAreOrdinaryReadableFilesNotOwnerOnlyTemporaries() throws IOException {
    Path dir = checkpoint("perms");
    org.aia4j.api.io.AtomicFiles.writeString(dir.resolve("report.html"), "<html/>");
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("report.html"))))
        .isEqualTo("rw-r--r--");
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwxr-xr-x");
  }

  @Test
  void replacingNeedsConsentAndThenSwapsTheWholeDirectory() throws IOException {
    Path dir = checkpoint("swap");
    assertThatThrownBy(() -> AtomicDirectory.write(dir, false, staging -> {})).isInstanceOf(FileAlreadyExistsException.class);
    AtomicDirectory.write(dir, true, staging -> Files.writeString(staging.resolve("new.txt"), "new"));
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("new.txt");
    }
  }

  @Test
  void anEmptyOrPartialManifestIsRefusedNamingWhatItLacks() throws IOException {
    Path empty = checkpoint("empty-manifest");
    Files.writeString(empty.resolve(Manifest.FILE_NAME), "");
    assertThatThrownBy(() -> Manifest.verify(empty)).isInstanceOf(IOException.class)
        .hasMessageContaining(empty.resolve(Manifest.FILE_NAME).toString())
        .hasMessageContaining("lists no file, so it verifies nothing");

    Path partial = checkpoint("partial-manifest");
    Files.writeString(partial.resolve(Manifest.FILE_NAME),
        Manifest.sha256(partial.resolve("config.json")) + "  config.json\n");
    Files.write(partial.resolve("tokenizers/image.json"), new byte[] {9, 9, 9}); // unverified change
    assertThat(Manifest.verify(partial).digests()).containsOnlyKeys("config.json");
    assertThatThrownBy(() -> Manifest.verify(partial, java.util.List.of("config.json", "tokenizers/")))
        .hasMessageContaining("does not list tokenizers/image.json, which the format requires");
    assertThatThrownBy(() -> Manifest.verify(partial, java.util.List.of("model.safetensors")))
        .hasMessageContaining("does not list model.safetensors");
    assertThat(Manifest.verify(checkpoint("whole"), java.util.List.of("config.json", "tokenizers/")).digests())
        .hasSize(2);
  }
}
