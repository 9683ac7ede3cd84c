package org.aia4j.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/**
 * Fixtures and references written by Python scripts kept in this module's resources: the tiny
 * Hugging Face LLaMA ({@code hf/make_tiny_llama.py}, Python's standard library only), written into
 * a temporary directory once per test JVM so no weights are kept in the repository, and the
 * float64 LLaMA reference ({@code hf/llama_reference.py}, on Debian's {@code python3-torch}).
 *
 * <p>Without {@code python3} (or the module a script imports) the tests are skipped, and fail
 * under {@code CI=true} ({@code .ci/run} installs both).
 */
public final class PythonFixtures {
  /** Debian's interpreter, where its packages ({@code python3-torch}) are, else the PATH's. */
  private static final String PYTHON =
      Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

  private static Path tinyLlama;
  private static Path tinyChameleon;

  private PythonFixtures() {}

  /** @return the shared tiny LLaMA checkpoint; tests that damage it copy it first */
  public static synchronized Path tinyLlama() throws IOException, InterruptedException {
    if (tinyLlama == null) {
      tinyLlama = writeTinyLlama(Files.createTempDirectory("tiny-llama").resolve("tiny-llama"));
    }
    return tinyLlama;
  }

  /**
   * The tiny LLaMA's Chameleon twin ({@code make_tiny_llama.py --qk-norm}): {@code model_type}
   * chameleon, per-head query/key LayerNorms, and a {@code model.vqmodel.*} tensor beside the decoder.
   *
   * @return the shared checkpoint; tests that damage it copy it first
   */
  public static synchronized Path tinyChameleon() throws IOException, InterruptedException {
    if (tinyChameleon == null) {
      Path out = Files.createTempDirectory("tiny-chameleon").resolve("tiny-chameleon");
      run("hf/make_tiny_llama.py", List.of(out.toString(), "--qk-norm"));
      tinyChameleon = out;
    }
    return tinyChameleon;
  }

  /**
   * An image layout for the tiny LLaMA ({@code hf/tiny_layout.json}): its ids 48..63 are 16 image
   * codes, written between "image" and "picture" with "of" after each row and "and" after the last;
   * the templates {@code "{image} what {question}"} and {@code "draw {prompt}"}, unconditional
   * prompt "small".
   *
   * @return the layout file, copied beside the shared model
   */
  public static synchronized Path tinyLlamaLayout() throws IOException, InterruptedException {
    Path file = tinyLlama().resolveSibling("tiny_layout.json");
    if (!Files.exists(file)) {
      try (var in = PythonFixtures.class.getResourceAsStream("/hf/tiny_layout.json")) {
        Files.copy(java.util.Objects.requireNonNull(in, "hf/tiny_layout.json"), file);
      }
    }
    return file;
  }

  /** Runs {@code make_tiny_llama.py} into {@code out} (which it creates) and returns {@code out}. */
  public static Path writeTinyLlama(Path out) throws IOException, InterruptedException {
    run("hf/make_tiny_llama.py", List.of(out.toString()));
    return out;
  }

  /**
   * Runs the float64 reference {@code hf/llama_reference.py} on {@code model}.
   *
   * @param sequences the sequences, each run alone from position 0
   * @param greedy how many greedy ids to continue each with
   * @return its JSON output ({@code logits}, {@code attention}, {@code greedy}), a temporary file
   */
  public static Path llamaReference(Path model, int[][] sequences, int greedy) throws IOException, InterruptedException {
    return llamaReference(model, sequences, greedy, false);
  }

  /**
   * As {@link #llamaReference(Path, int[][], int)}, with the residual stream after every layer
   * ({@code hidden}: [sequence][layer][position][width]) when {@code hidden} is true.
   */
  public static Path llamaReference(Path model, int[][] sequences, int greedy, boolean hidden)
      throws IOException, InterruptedException {
    Path work = Files.createTempDirectory("llama-reference");
    Path request = work.resolve("request.json");
    Path out = work.resolve("reference.json");
    String rows = Arrays.stream(sequences).map(Arrays::toString).collect(Collectors.joining(", ", "[", "]"));
    Files.writeString(request, "{\"sequences\": " + rows + ", \"greedy\": " + greedy + ", \"hidden\": " + hidden
        + "}", StandardCharsets.UTF_8);
    run("hf/llama_reference.py", List.of(model.toString(), request.toString(), out.toString()));
    return out;
  }

  /**
   * Skips the test (fails it under {@code CI=true}) unless {@code python3} can import the module.
   *
   * @param module a Python module, e.g. {@code torch}
   * @param debianPackage the package that provides it, named in the message
   */
  public static void requireModule(String module, String debianPackage) throws InterruptedException {
    boolean present;
    try {
      Process p = new ProcessBuilder(PYTHON, "-c", "import " + module).redirectErrorStream(true).start();
      present = p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException noPython) {
      present = false;
    }
    if (!present && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("python3 cannot import " + module + " on CI: apt-get install " + debianPackage);
    }
    Assumptions.assumeTrue(present, "python3 cannot import " + module + " (apt-get install " + debianPackage + ")");
  }

  /**
   * Runs a script of this module's resources with {@code python3}.
   *
   * @param resource the script, e.g. {@code hf/llama_reference.py}
   * @param args its arguments
   * @return what it printed (stdout and stderr)
   * @throws AssertionError when it fails or takes more than two minutes
   */
  public static String run(String resource, List<String> args) throws IOException, InterruptedException {
    Path script = Files.createTempFile("aia4j-", "-" + Path.of(resource).getFileName());
    try {
      try (InputStream in = PythonFixtures.class.getResourceAsStream("/" + resource)) {
        if (in == null) {
          throw new IllegalArgumentException("No resource " + resource);
        }
        Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
      }
      List<String> command = new ArrayList<>(List.of(PYTHON, script.toString()));
      command.addAll(args);
      Process process;
      try {
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
      } catch (IOException noPython) {
        if ("true".equals(System.getenv("CI"))) {
          throw new AssertionError("python3 is missing on CI; it runs " + resource, noPython);
        }
        Assumptions.assumeTrue(false, "python3 is not installed (it runs " + resource + ")");
        throw noPython;
      }
      // Drain before waiting, so a chatty script cannot block on a full pipe.
      String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(resource + " did not finish in 120 s");
      }
      if (process.exitValue() != 0) {
        throw new AssertionError(resource + " failed: " + log);
      }
      return log;
    } finally {
      Files.deleteIfExists(script);
    }
  }
}
