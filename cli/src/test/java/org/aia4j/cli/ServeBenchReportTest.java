package org.aia4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ServeBenchReportTest {

  @Test
  void aReportNamesACheckpointWithoutThisMachinesFolders() {
    Path here = Path.of("").toAbsolutePath();
    assertThat(ServeBenchCommand.shown(here.resolve("quickstart/aia"))).isEqualTo(Path.of("quickstart", "aia").toString());
    assertThat(ServeBenchCommand.shown(Path.of("quickstart/aia"))).isEqualTo(Path.of("quickstart", "aia").toString());
    assertThat(ServeBenchCommand.shown(Path.of("/elsewhere/bench/small-aia"))).isEqualTo("small-aia");
  }
}
