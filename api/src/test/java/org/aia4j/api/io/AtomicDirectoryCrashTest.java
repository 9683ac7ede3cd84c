package org.aia4j.api.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A replacement killed between its steps: a child JVM halts (as a kill -9 would: no finally, no
 * shutdown hook) right after each rename, and the next start finds a complete directory.
 */
class AtomicDirectoryCrashTest {
  @TempDir
  Path tmp;

  /** Writes {@code args[0]} with one file holding {@code args[1]}, halting after step {@code args[2]}. */
  public static void main(String[] args) throws IOException {
    String crashAfter = args[2];
    AtomicDirectory.hook = step -> {
      if (step.equals(crashAfter)) {
        Runtime.getRuntime().halt(137);
      }
    };
    AtomicDirectory.write(Path.of(args[0]), true,
        staging -> Files.writeString(staging.resolve("content.txt"), args[1], StandardCharsets.UTF_8));
  }

  private int runChild(Path target, String content, String crashAfter) throws Exception {
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), AtomicDirectoryCrashTest.class.getName(),
        target.toString(), content, crashAfter).redirectErrorStream(true).start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();
    return child.exitValue();
  }

  private List<String> siblings() throws IOException {
    try (Stream<Path> files = Files.list(tmp)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ready", "old", "target"})
  void aKillBetweenTheStepsLeavesACompleteDirectoryThatTheNextStartRecovers(String step) throws Exception {
    Path target = tmp.resolve("c");
    AtomicDirectory.write(target, false, staging -> Files.writeString(staging.resolve("content.txt"), "old"));

    assertThat(runChild(target, "new", step)).isEqualTo(137);
    // What the kill left: after "old" nothing is at the target, the point the issue found.
    if (step.equals("old")) {
      assertThat(target).doesNotExist();
      assertThat(siblings()).anyMatch(n -> n.startsWith(".c.old.")).anyMatch(n -> n.startsWith(".c.ready."));
    }

    AtomicDirectory.Recovery recovery = AtomicDirectory.recover(target, dir -> false);
    String content = Files.readString(target.resolve("content.txt"));
    // Before the old checkpoint was moved aside the old one stays; after it, the complete new one is put back.
    assertThat(content).isEqualTo(step.equals("ready") ? "old" : "new");
    assertThat(recovery.restoredFrom().isPresent()).isEqualTo(step.equals("old"));
    assertThat(siblings()).containsExactly("c");
  }

  @Test
  void aKillWhileTheWriterFillsStagingKeepsTheOldDirectoryAndTheNextWriteCleansUp() throws Exception {
    Path target = tmp.resolve("c");
    AtomicDirectory.write(target, false, staging -> Files.writeString(staging.resolve("content.txt"), "old"));
    // A half-filled staging folder, as a kill inside the writer leaves it.
    Path half = Files.createDirectory(tmp.resolve(".c.tmp.123"));
    Files.writeString(half.resolve("content.txt"), "ne");
    AtomicDirectory.write(target, true, staging -> Files.writeString(staging.resolve("content.txt"), "new"));
    assertThat(Files.readString(target.resolve("content.txt"))).isEqualTo("new");
    assertThat(siblings()).containsExactly("c");
  }

  @Test
  void theStateAnOlderVersionLeftIsRecoveredFromItsOldFolderOrAVerifiedStaging() throws Exception {
    // The pre-fix AtomicDirectory, killed between its two renames: the old checkpoint in
    // .c.old.N, the complete new one in the staging folder .c.N, nothing at c.
    Path target = tmp.resolve("c");
    Path old = Files.createDirectory(tmp.resolve(".c.old.41"));
    Files.writeString(old.resolve("content.txt"), "old");
    Path staging = Files.createDirectory(tmp.resolve(".c.42"));
    Files.writeString(staging.resolve("content.txt"), "new");
    AtomicDirectory.Recovery recovery = AtomicDirectory.recover(target, dir -> false);
    assertThat(recovery.restoredFrom()).contains(old);
    assertThat(Files.readString(target.resolve("content.txt"))).isEqualTo("old");
    assertThat(siblings()).containsExactly("c");

    // With only a staging folder left, it is restored only if the validator vouches for it.
    AtomicDirectory.deleteTree(target);
    Path lone = Files.createDirectory(tmp.resolve(".c.43"));
    Files.writeString(lone.resolve("content.txt"), "new");
    assertThat(AtomicDirectory.recover(target, dir -> false).restoredFrom()).isEmpty();
    assertThat(target).doesNotExist();
    Path verified = Files.createDirectory(tmp.resolve(".c.44"));
    Files.writeString(verified.resolve("content.txt"), "new");
    assertThat(AtomicDirectory.recover(target, dir -> Files.exists(dir.resolve("content.txt"))).restoredFrom())
        .contains(verified);
    assertThat(Files.readString(target.resolve("content.txt"))).isEqualTo("new");
  }

  @Test
  void recoveryLeavesOtherTargetsFoldersAlone() throws Exception {
    Path target = tmp.resolve("c");
    Files.createDirectories(tmp.resolve(".c.old.tmp.5")); // target "c.old"'s staging, not c's
    Files.createDirectories(tmp.resolve(".cc.old.5"));
    Files.createDirectories(tmp.resolve(".c.notes"));
    AtomicDirectory.write(target, false, staging -> Files.writeString(staging.resolve("content.txt"), "x"));
    assertThat(siblings()).containsExactly(".c.notes", ".c.old.tmp.5", ".cc.old.5", "c");
  }
}
