package org.aia4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a benchmark's PyTorch/Python peer (bench/peer_*.py) and reads the JSON object it prints
 * last; and the statistics the benchmarks report.
 */
final class PythonPeer {
  private PythonPeer() {}

  /**
   * @param args the script's arguments
   * @param log where the peer's output goes (kept for the error message)
   * @return the peer's result, or null when Python or the script is missing (said on the console)
   * @throws IOException if the peer fails or takes longer than {@code minutes}
   */
  static JsonNode run(String python, Path script, List<String> args, Path log, int minutes, PrintWriter console)
      throws IOException, InterruptedException {
    List<String> command = command(python, script, args, console);
    if (command == null) {
      return null;
    }
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!process.waitFor(minutes, TimeUnit.MINUTES) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IOException("The PyTorch peer failed:\n" + Files.readString(log));
    }
    List<String> lines = Files.readAllLines(log);
    JsonNode result = new ObjectMapper().readTree(lines.get(lines.size() - 1));
    warnOnReferenceBlas(result, console);
    return result;
  }

  /**
   * Says so when the peer's torch runs on the reference BLAS (Debian's {@code libblas3}, what
   * {@code python3-torch} gets without an optimised one): a peer several times slower than it
   * should be makes every ratio against it meaningless.
   */
  static void warnOnReferenceBlas(JsonNode peer, PrintWriter console) {
    String blas = peer.path("blas").asText("");
    boolean optimised = blas.contains("openblas") || blas.contains("mkl") || blas.contains("blis");
    if (!blas.isEmpty() && !optimised) {
      console.printf("WARNING: the PyTorch peer runs on %s, the reference BLAS: its figures are not a fair peer's."
          + " Install an optimised one (apt-get install libopenblas0-pthread) and rerun%n", blas);
      console.flush();
    }
  }

  /**
   * Starts a peer that serves measurement blocks: it prints one JSON line when ready, then
   * answers each JSON line written to it with one JSON line, so a benchmark can take turns
   * between the peer and aia4j's engines in one run instead of timing the peer after them.
   *
   * @param log where the peer's diagnostics (stderr) go, kept for error messages
   * @return the session, or null when Python or the script is missing (said on the console)
   * @throws IOException if the peer fails before it is ready
   */
  static Session serve(String python, Path script, List<String> args, Path log, PrintWriter console)
      throws IOException {
    List<String> command = command(python, script, args, console);
    if (command == null) {
      return null;
    }
    Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
    Session session = new Session(process, log);
    try {
      session.ready = session.readLine();
      warnOnReferenceBlas(session.ready, console);
      return session;
    } catch (IOException e) {
      session.close();
      throw e;
    }
  }

  /** A running peer that answers one JSON line with one JSON line; closing it asks it to quit. */
  static final class Session implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final BufferedWriter in;
    private final BufferedReader out;
    private JsonNode ready;

    private Session(Process process, Path log) {
      this.process = process;
      this.log = log;
      this.in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
      this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** @return what the peer said when ready (its versions) */
    JsonNode ready() {
      return ready;
    }

    /** Sends a request and waits for its answer. */
    JsonNode call(JsonNode request) throws IOException {
      try {
        in.write(request.toString());
        in.newLine();
        in.flush();
      } catch (IOException e) {
        throw new IOException("The PyTorch peer is gone:\n" + Files.readString(log), e);
      }
      return readLine();
    }

    private JsonNode readLine() throws IOException {
      String line = out.readLine();
      if (line == null) {
        throw new IOException("The PyTorch peer stopped:\n" + Files.readString(log));
      }
      return new ObjectMapper().readTree(line);
    }

    @Override
    public void close() throws IOException {
      try {
        if (process.isAlive()) {
          in.write("{\"quit\": true}");
          in.newLine();
          in.flush();
        }
      } catch (IOException alreadyGone) {
        // it has quit on its own
      }
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The machine's load average as {@code /proc/loadavg} says it, or "unknown". */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** The peer's command line, or null when Python or the script is missing (said on the console). */
  private static List<String> command(String python, Path script, List<String> args, PrintWriter console) {
    if (!Files.isExecutable(Path.of(python)) || !Files.isRegularFile(script)) {
      console.printf("PyTorch peer skipped: %s or %s missing (apt-get install python3-torch libopenblas0-pthread)%n",
          python, script);
      return null;
    }
    List<String> command = new ArrayList<>(List.of(python, script.toString()));
    command.addAll(args);
    return command;
  }

  /** The median (upper median for an even count). */
  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
