package org.aia4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.aia4j.api.model.SamplingSettings;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The option mixins parse the names and defaults the commands had before they shared them. */
class OptionMixinsTest {
  @Command(name = "holder")
  static final class Holder {
    @Mixin
    SeedOption seed = new SeedOption(42);

    @Mixin
    PresetOption preset;

    @Mixin
    BackendOptions backend = new BackendOptions("onnx");

    @Mixin
    SamplingOptions sampling;

    @Mixin
    BenchOutputOption output;
  }

  @Test
  void withoutOptionsEachMixinHoldsItsDefault() {
    Holder holder = new Holder();
    new CommandLine(holder).parseArgs();

    assertThat(holder.seed.seed()).isEqualTo(42);
    assertThat(holder.preset.preset()).isEqualTo("small");
    assertThat(holder.backend.backend()).isEqualTo("onnx");
    assertThat(holder.backend.device()).isEqualTo("cpu");
    // aia eval's defaults: guidance 2, temperature 1, every token.
    assertThat(holder.sampling.settings(7)).isEqualTo(new SamplingSettings(2.0, 1.0, 0, 7));
    assertThat(holder.output.out()).isEqualTo(Path.of("docs/benchmarks"));
  }

  @Test
  void theOptionsAreParsedUnderTheirOldNames() {
    Holder holder = new Holder();
    new CommandLine(holder).parseArgs("--seed", "9", "--preset", "tiny", "--backend", "djl", "--device", "cuda:1",
        "--cfg", "3", "--temperature", "0", "--top-k", "5", "--out", "elsewhere");

    assertThat(holder.seed.seed()).isEqualTo(9);
    assertThat(holder.preset.preset()).isEqualTo("tiny");
    assertThat(holder.backend.backend()).isEqualTo("djl");
    assertThat(holder.backend.device()).isEqualTo("cuda:1");
    assertThat(holder.sampling.settings(0)).isEqualTo(new SamplingSettings(3.0, 0.0, 5, 0));
    assertThat(holder.output.out()).isEqualTo(Path.of("elsewhere"));
  }

  @Test
  void theHelpShowsEachCommandsOwnDefault() {
    String help = new CommandLine(new Holder()).getUsageMessage(CommandLine.Help.Ansi.OFF);
    assertThat(help).contains("(default: 42,").contains("(default: onnx)").contains("(default: small)");
    Holder djl = new Holder();
    djl.backend = new BackendOptions("djl");
    assertThat(new CommandLine(djl).getUsageMessage(CommandLine.Help.Ansi.OFF)).contains("(default: djl)");
  }
}
