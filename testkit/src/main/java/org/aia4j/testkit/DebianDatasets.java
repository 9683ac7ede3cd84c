package org.aia4j.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Datasets tests read from Debian packages. Under {@code CI=true} a missing package fails the
 * test ({@code .ci/run} installs it); elsewhere the test is skipped, saying what to install.
 */
public final class DebianDatasets {
  /** Where {@code apt-get install dataset-fashion-mnist} puts its files. */
  public static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

  private DebianDatasets() {}

  /**
   * @return the Fashion-MNIST directory: {@code $AIA4J_FASHION_MNIST} if set, else Debian's
   * @throws AssertionError under {@code CI=true} when the dataset is missing
   */
  public static Path fashionMnist() {
    String configured = System.getenv("AIA4J_FASHION_MNIST");
    Path dir = configured == null || configured.isBlank() ? FASHION_MNIST : Path.of(configured);
    boolean present = Files.isRegularFile(dir.resolve("t10k-images-idx3-ubyte.gz"));
    if (!present && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("Fashion-MNIST is missing from " + dir + " on CI: apt-get install dataset-fashion-mnist");
    }
    Assumptions.assumeTrue(present, "dataset-fashion-mnist is not installed (apt-get install dataset-fashion-mnist)");
    return dir;
  }
}
