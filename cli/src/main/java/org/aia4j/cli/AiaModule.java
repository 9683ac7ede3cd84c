package org.aia4j.cli;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;

/**
 * The wiring of the {@code aia} command: the plug-in registries (found once per command line, by
 * ServiceLoader, when a command first asks for them: by then {@link AiaCommand.WithPlugins} has put
 * the plug-in directory's jars on the context class loader) and the services built on them.
 * Commands get them by {@code @Inject}, as a {@code Provider<Plugins>} where they are built
 * before the command line is parsed.
 */
final class AiaModule extends AbstractModule {
  @Provides
  @Singleton
  Plugins plugins() {
    return Plugins.fromClassPath();
  }
}
