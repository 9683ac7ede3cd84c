package org.aia4j.inference.hf;

import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The tiny Hugging Face LLaMA the tests read, written by {@code make_tiny_llama.py} (Python's
 * standard library only) into a temporary directory once per test JVM, so no weights are kept in
 * the repository. Without {@code python3} the tests are skipped, and fail under {@code CI=true}
 * ({@code .ci/run} installs Python with {@code python3-onnx}).
 */
final class TinyLlama {
  private static Path fixture;

  private TinyLlama() {}

  /** The shared checkpoint; tests that damage it copy it first. */
  static synchronized Path fixture() throws IOException, InterruptedException, URISyntaxException {
    if (fixture == null) {
      fixture = write(Files.createTempDirectory("tiny-llama").resolve("tiny-llama"));
    }
    return fixture;
  }

  /** Runs the script into {@code out} (which it creates) and returns {@code out}. */
  static Path write(Path out) throws IOException, InterruptedException, URISyntaxException {
    Path script = Path.of(TinyLlama.class.getResource("/hf/make_tiny_llama.py").toURI());
    Process process;
    try {
      process = new ProcessBuilder("python3", script.toString(), out.toString()).redirectErrorStream(true).start();
    } catch (IOException noPython) {
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError("python3 is missing on CI; it writes the tiny LLaMA fixture", noPython);
      }
      assumeThat(false).as("python3 is not installed (it writes the tiny LLaMA fixture)").isTrue();
      throw noPython;
    }
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("make_tiny_llama.py did not finish in 120 s");
    }
    String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new AssertionError("make_tiny_llama.py failed: " + log);
    }
    return out;
  }
}
