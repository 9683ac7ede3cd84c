/**
 * The provider pattern every pluggable part of aia4j uses, modelled on DJL's engines.
 *
 * <p>A {@link org.aia4j.api.spi.Provider} has a name and a rank; a {@link
 * org.aia4j.api.spi.ProviderRegistry} finds them with {@link java.util.ServiceLoader}, picks one
 * by name or by lowest rank, lets a system property or environment variable override the
 * default, and fails with messages that list what it knows.
 */
package org.aia4j.api.spi;
