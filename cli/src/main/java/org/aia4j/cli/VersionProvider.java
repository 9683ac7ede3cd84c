package org.aia4j.cli;

import picocli.CommandLine.IVersionProvider;

/** Reports the aia4j version from the jar manifest, and the Java runtime. */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = AiaCommand.class.getPackage().getImplementationVersion();
    return new String[] {
        "aia4j " + (version == null ? "development build" : version),
        "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"
    };
  }
}
