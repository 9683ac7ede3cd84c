package org.aia4j.cli;

import com.google.inject.ConfigurationException;
import com.google.inject.Injector;
import picocli.CommandLine;

/**
 * Lets picocli create commands (and mixins, converters, version providers) through Guice, so their
 * {@code @Inject} fields are filled; what Guice cannot build, such as the collection interfaces of
 * options, falls back to picocli's own factory.
 */
final class GuiceFactory implements CommandLine.IFactory {
  private final Injector injector;

  GuiceFactory(Injector injector) {
    this.injector = injector;
  }

  @Override
  public <K> K create(Class<K> type) throws Exception {
    try {
      return injector.getInstance(type);
    } catch (ConfigurationException e) {
      return CommandLine.defaultFactory().create(type);
    }
  }
}
