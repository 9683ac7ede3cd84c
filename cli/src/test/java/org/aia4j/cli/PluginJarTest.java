package org.aia4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.aia4j.cli.CliTest.Run;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A loss from a jar the build has never seen: compiled here from source, packed with its service
 * file into a plug-in directory, listed by {@code aia providers} and trained with by {@code aia
 * train --loss}, and unknown without {@code --plugins}.
 */
class PluginJarTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LOSS = "constant-test";
  private static final String PROVIDER = "org.example.loss.ConstantLossProvider";

  @TempDir
  static Path shared;

  static Path plugins;

  // A term no built-in loss makes: 0.25 + the step, on a zero-gradient path through the logits.
  private static final String PROVIDER_SOURCE = """
      package org.example.loss;

      import ai.djl.ndarray.NDArray;
      import com.fasterxml.jackson.databind.JsonNode;
      import org.aia4j.api.loss.LossInputs;
      import org.aia4j.api.loss.LossProvider;
      import org.aia4j.api.loss.TrainingLoss;

      public final class ConstantLossProvider implements LossProvider {
        @Override public String name() { return "constant-test"; }
        @Override public int rank() { return 100; }
        @Override public TrainingLoss create(JsonNode config) {
          if (config.size() > 0) {
            throw new IllegalArgumentException("constant-test takes no settings, got " + config);
          }
          return new TrainingLoss() {
            @Override public String name() { return "constant-test"; }
            @Override public NDArray compute(LossInputs inputs) {
              return inputs.logits().mean().mul(0f).add(0.25f + inputs.step());
            }
          };
        }
      }
      """;

  @BeforeAll
  static void buildThePluginJar() throws IOException {
    Path sources = Files.createDirectories(shared.resolve("src/org/example/loss"));
    Path classes = Files.createDirectories(shared.resolve("classes"));
    Path source = sources.resolve("ConstantLossProvider.java");
    Files.writeString(source, PROVIDER_SOURCE);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertThat(javac).as("tests run on a JDK").isNotNull();
    int exit = javac.run(null, null, null, "-classpath", System.getProperty("java.class.path"), "-d",
        classes.toString(), source.toString());
    assertThat(exit).as("javac of the plug-in").isZero();
    plugins = Files.createDirectories(shared.resolve("plugins"));
    jar(plugins.resolve("constant-loss.jar"), classes,
        Map.of("META-INF/services/org.aia4j.api.loss.LossProvider", PROVIDER + "\n"));
  }

  @Test
  void providersListsTheLossOfAJarInThePluginDirectory() {
    ClassLoader before = Thread.currentThread().getContextClassLoader();
    Run listed = CliTest.aia("--plugins", plugins.toString(), "providers");
    assertThat(listed.exit()).as(listed.err()).isZero();
    assertThat(listed.out()).contains(LOSS).contains(PROVIDER).contains("aia");
    // After the command, the plug-ins are gone again: the next command line sees the class path only.
    assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(before);
    assertThat(CliTest.aia("providers").out()).doesNotContain(LOSS);
  }

  @Test
  void trainUsesThePluginLossAndRecordsIt() throws Exception {
    Path out = shared.resolve("run");
    Run run = CliTest.aia("train", "--preset", "tiny", "--steps", "3", "--seed", "1", "--loss", LOSS, "--plugins",
        plugins.toString(), "--out", out.toString());
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains(LOSS + " on");
    List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
    assertThat(lines).hasSize(3);
    for (int i = 0; i < lines.size(); i++) {
      JsonNode line = JSON.readTree(lines.get(i));
      assertThat(line.get("loss_name").asText()).isEqualTo(LOSS);
      // The term only this loss makes, with the step it was given (0-based).
      assertThat(line.at("/aia/und").asDouble()).isEqualTo(0.25 + i);
      assertThat(line.at("/aia/gen").asDouble()).isEqualTo(0.25 + i);
      double tokenLosses = line.at("/ntp/und").asDouble() + line.at("/ntp/gen").asDouble();
      assertThat(line.get("loss").asDouble()).isCloseTo(tokenLosses + 2 * (0.25 + i),
          org.assertj.core.data.Offset.offset(1e-4));
    }
    JsonNode config = JSON.readTree(out.resolve("config.json").toFile());
    assertThat(config.at("/training/loss").asText()).isEqualTo(LOSS);
  }

  @Test
  void withoutThePluginDirectoryTheLossIsRefusedWithTheKnownOnes() {
    Path out = shared.resolve("refused");
    Run run = CliTest.aia("train", "--preset", "tiny", "--steps", "1", "--loss", LOSS, "--out", out.toString());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).contains("Unknown loss '" + LOSS + "'").contains("aia");
    assertThat(out).doesNotExist();
  }

  @Test
  void unusablePluginDirectoriesFailNamingTheDirectoryJarOrClass() throws IOException {
    Run missing = CliTest.aia("--plugins", shared.resolve("nowhere").toString(), "providers");
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).contains("plug-in directory").contains("does not exist").contains("nowhere");
    // aia serve takes the option too, and checks it before loading any model or listening.
    Run serve = CliTest.aia("serve", "--checkpoint", shared.toString(), "--plugins", shared.resolve("nowhere").toString());
    assertThat(serve.exit()).isEqualTo(1);
    assertThat(serve.err()).contains("plug-in directory").contains("nowhere");

    Path broken = Files.createDirectories(shared.resolve("broken"));
    Files.writeString(broken.resolve("garbage.jar"), "not a zip");
    Run garbage = CliTest.aia("providers", "--plugins", broken.toString());
    assertThat(garbage.exit()).isEqualTo(1);
    assertThat(garbage.err()).contains("plug-in jar").contains("garbage.jar").contains("cannot be opened");

    Path lying = Files.createDirectories(shared.resolve("lying"));
    Path empty = Files.createDirectories(shared.resolve("empty-classes"));
    jar(lying.resolve("lying.jar"), empty,
        Map.of("META-INF/services/org.aia4j.api.loss.LossProvider", "org.example.Missing\n"));
    Run absent = CliTest.aia("providers", "--plugins", lying.toString());
    assertThat(absent.exit()).isEqualTo(1);
    assertThat(absent.err()).contains("lying.jar").contains("provider class org.example.Missing").contains("fails to load");
  }

  /** Packs {@code classes} and the given extra entries into {@code jar}. */
  private static void jar(Path jar, Path classes, Map<String, String> entries) throws IOException {
    try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
        Stream<Path> walk = Files.walk(classes)) {
      for (Path path : walk.filter(Files::isRegularFile).toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(path).toString().replace('\\', '/')));
        out.write(Files.readAllBytes(path));
        out.closeEntry();
      }
      for (Map.Entry<String, String> entry : entries.entrySet()) {
        out.putNextEntry(new JarEntry(entry.getKey()));
        out.write(entry.getValue().getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
  }
}
