package org.aia4j.cli;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;

/**
 * The wiring of the {@code aia} command: the plug-in registries (found once per command line, by
 * ServiceLoader) and the services built on them. Commands get them by {@code @Inject}.
 */
final class AiaModule extends AbstractModule {
  @Provides
  @Singleton
  Plugins plugins() {
    return Plugins.fromClassPath();
  }
}
