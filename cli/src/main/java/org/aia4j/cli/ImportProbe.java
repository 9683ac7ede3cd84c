package org.aia4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.aia4j.api.benchmark.ProgressListener;
import org.aia4j.inference.hf.HfImport;

/**
 * {@code aia bench import}'s child process: one import, then its wall time and the process's peak
 * resident memory ({@code VmHWM}) as one JSON line. A process of its own, so the peak is the
 * import's alone, as a user's {@code aia import} would see it.
 */
final class ImportProbe {
  private ImportProbe() {}

  public static void main(String[] args) throws IOException {
    HfImport.Result result = HfImport.run(Path.of(args[0]), Path.of(args[1]), ProgressListener.none());
    System.out.println(new ObjectMapper().writeValueAsString(Map.of(
        "seconds", result.seconds(), "peak_rss_bytes", peakResidentBytes(), "parameters", result.parameters())));
  }

  /** The process's peak resident set, from {@code /proc/self/status}; -1 where there is none. */
  static long peakResidentBytes() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.isReadable(status)) {
      return -1;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }
}
