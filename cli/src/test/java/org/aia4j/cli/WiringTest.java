package org.aia4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.aia4j.api.Registries;
import org.aia4j.api.backend.BackendProvider;
import org.aia4j.api.benchmark.BenchmarkProvider;
import org.aia4j.api.loss.LossProvider;
import org.aia4j.api.model.ModelProvider;
import org.aia4j.api.spi.ProviderRegistry;
import org.aia4j.api.tokenizer.ImageTokenizerProvider;
import org.aia4j.api.tokenizer.TextTokenizerProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Commands take their plug-ins from the Guice wiring, so an embedder's own registries replace the class path's. */
class WiringTest {
  @TempDir
  Path tmp;

  @Test
  void commandsUseThePluginsTheInjectorBinds() {
    CliTest.Run classPath = CliTest.aia("providers");
    assertThat(classPath.out()).contains("onnx").contains("geneval");

    // A plug-in folder with nothing in it: ServiceLoader over a loader that sees no providers.
    ClassLoader empty = new java.net.URLClassLoader(new java.net.URL[0], null);
    Plugins none = new Plugins(
        ProviderRegistry.load(BackendProvider.class, Registries.BACKEND, empty),
        ProviderRegistry.load(ModelProvider.class, Registries.MODEL, empty),
        ProviderRegistry.load(LossProvider.class, Registries.LOSS, empty),
        ProviderRegistry.load(BenchmarkProvider.class, Registries.BENCHMARK, empty),
        ProviderRegistry.load(ImageTokenizerProvider.class, Registries.IMAGE_TOKENIZER, empty),
        ProviderRegistry.load(TextTokenizerProvider.class, Registries.TEXT_TOKENIZER, empty));
    CommandLine cli = AiaCommand.commandLine(Guice.createInjector(new AbstractModule() {
      @Override
      protected void configure() {
        bind(Plugins.class).toInstance(none);
      }
    }));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    assertThat(cli.execute("providers")).isZero();
    assertThat(out.toString()).contains("(none: add a jar registering org.aia4j.api.model.ModelProvider)")
        .doesNotContain("onnx");
    assertThat(cli.execute("eval", "--checkpoint", tmp.toString(), "--backend", "onnx", "--out",
        tmp.resolve("e").toString())).isEqualTo(1);
    // The benchmarks come from the bound registries too, and are checked before any model loads.
    assertThat(err.toString()).contains("Unknown benchmark 'geneval'. Known benchmarks: none");
  }
}
