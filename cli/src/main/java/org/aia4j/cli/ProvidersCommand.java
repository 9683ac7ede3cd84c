package org.aia4j.cli;

import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.List;
import org.aia4j.api.spi.Provider;
import org.aia4j.api.spi.ProviderRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Lists every provider found on the class path and in the plug-in directory ({@code --plugins}), so
 * a user can check that a plug-in jar loaded.
 */
@Command(name = "providers", mixinStandardHelpOptions = true,
    description = "List the backends, models, losses, benchmarks and tokenizers found on the class path and in --plugins DIR.")
final class ProvidersCommand implements Runnable {

  @Spec
  CommandSpec spec;

  @Inject
  jakarta.inject.Provider<Plugins> plugins;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    for (ProviderRegistry<? extends Provider> registry : plugins.get().all()) {
      out.printf("%s (override: -D%s or %s)%n", registry.kind(), registry.propertyKey(), registry.environmentKey());
      if (registry.isEmpty()) {
        out.printf("  (none: add a jar registering %s)%n", registry.service().getName());
        continue;
      }
      String chosen = registry.getDefault().name();
      for (Provider provider : registry.all()) {
        out.printf("  %s %-16s rank %-4d %s%n", provider.name().equals(chosen) ? "*" : " ",
            provider.name(), provider.rank(), provider.getClass().getName());
      }
    }
    out.flush();
  }
}
