package org.aia4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
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
    if (!Files.isExecutable(Path.of(python)) || !Files.isRegularFile(script)) {
      console.printf("PyTorch peer skipped: %s or %s missing (apt-get install python3-torch libopenblas0-pthread)%n",
          python, script);
      return null;
    }
    List<String> command = new ArrayList<>(List.of(python, script.toString()));
    command.addAll(args);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!process.waitFor(minutes, TimeUnit.MINUTES) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IOException("The PyTorch peer failed:\n" + Files.readString(log));
    }
    List<String> lines = Files.readAllLines(log);
    return new ObjectMapper().readTree(lines.get(lines.size() - 1));
  }

  /** The median (upper median for an even count). */
  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
