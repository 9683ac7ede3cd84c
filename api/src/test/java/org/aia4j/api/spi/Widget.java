package org.aia4j.api.spi;

/** A test-only service, to check how the ServiceLoader path treats a broken jar. */
public interface Widget extends Provider {}
