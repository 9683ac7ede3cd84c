package org.aia4j.api.spi;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The providers of one service, found with {@link ServiceLoader} and chosen by name or rank.
 *
 * <p>This is DJL's engine convention applied to every pluggable part of aia4j. A registry has a
 * <em>kind</em> (e.g. {@code backend}); the default is the provider named by the system property
 * {@code aia4j.<kind>}, else by the environment variable {@code AIA4J_<KIND>} (upper case,
 * {@code '-'} becomes {@code '_'}), else the one with the lowest {@link Provider#rank()}.
 *
 * <pre>{@code
 * ProviderRegistry<BackendProvider> backends =
 *     ProviderRegistry.load(BackendProvider.class, "backend");
 * BackendProvider backend = backends.get("djl"); // or backends.getDefault()
 * }</pre>
 *
 * <p>Two providers with the same name (ignoring case) are reduced to the one with the lower
 * rank, with a warning; a provider that fails to instantiate is skipped with a warning, so one
 * broken jar does not hide the others. A registry is an immutable snapshot of what was found
 * when it was built.
 *
 * @param <P> the service type
 */
public final class ProviderRegistry<P extends Provider> {

  private static final Logger LOG = LoggerFactory.getLogger(ProviderRegistry.class);
  private static final Pattern KIND = Pattern.compile("[a-z][a-z0-9-]*");
  private static final Comparator<Provider> BY_RANK_THEN_NAME =
      Comparator.comparingInt(Provider::rank)
          .thenComparing(p -> p.name().toLowerCase(Locale.ROOT));

  private final Class<P> service;
  private final String kind;
  private final List<P> providers;
  private final Function<String, String> properties;
  private final Function<String, String> environment;

  /**
   * Builds a registry from an explicit provider list; the public path is {@link #load}. Tests
   * pass their own property and environment lookups instead of mutating the JVM's.
   *
   * @param service the service type, used in messages
   * @param kind the registry's kind
   * @param found the providers, in discovery order (earlier wins among equal-rank duplicates)
   * @param properties looks up a system property, returns null when unset
   * @param environment looks up an environment variable, returns null when unset
   */
  ProviderRegistry(
      Class<P> service,
      String kind,
      List<? extends P> found,
      Function<String, String> properties,
      Function<String, String> environment) {
    this.service = Objects.requireNonNull(service, "service");
    this.kind = checkKind(kind);
    this.properties = Objects.requireNonNull(properties, "properties");
    this.environment = Objects.requireNonNull(environment, "environment");
    this.providers = deduplicate(found);
  }

  /**
   * Finds the providers of {@code service} visible to the thread's context class loader (or,
   * when there is none, to the service's own loader).
   *
   * @param service the service interface, e.g. {@code ModelProvider.class}
   * @param kind the label used in messages and override keys: lower case letters, digits, '-'
   * @param <P> the service type
   * @return the registry; possibly empty, which only fails when a provider is asked for
   */
  public static <P extends Provider> ProviderRegistry<P> load(Class<P> service, String kind) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    return load(service, kind, loader != null ? loader : service.getClassLoader());
  }

  /**
   * Finds the providers of {@code service} visible to {@code loader}, e.g. a plugin directory's
   * class loader.
   *
   * @param service the service interface
   * @param kind the label used in messages and override keys
   * @param loader where to look for {@code META-INF/services} entries
   * @param <P> the service type
   * @return the registry
   */
  public static <P extends Provider> ProviderRegistry<P> load(
      Class<P> service, String kind, ClassLoader loader) {
    checkKind(kind);
    List<P> found = new ArrayList<>();
    Iterator<P> it = ServiceLoader.load(service, loader).iterator();
    while (true) {
      try {
        if (!it.hasNext()) {
          break;
        }
        found.add(it.next());
      } catch (ServiceConfigurationError e) {
        // ServiceLoader's iterator carries on with the next entry after an error.
        Throwable cause = e.getCause();
        LOG.warn(
            "Skipping a {} provider that failed to load: {}{}",
            kind,
            e.getMessage(),
            cause == null ? "" : " (" + cause + ")");
        LOG.debug("Stack trace of the {} provider that failed to load", kind, e);
      }
    }
    return new ProviderRegistry<>(service, kind, found, System::getProperty, System::getenv);
  }

  /** @return the kind this registry was built with, e.g. {@code backend} */
  public String kind() {
    return kind;
  }

  /** @return the service interface */
  public Class<P> service() {
    return service;
  }

  /** @return the system property that overrides the default, {@code aia4j.<kind>} */
  public String propertyKey() {
    return "aia4j." + kind;
  }

  /** @return the environment variable that overrides the default, {@code AIA4J_<KIND>} */
  public String environmentKey() {
    return "AIA4J_" + kind.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** @return every provider, sorted by rank then name; immutable */
  public List<P> all() {
    return providers;
  }

  /** @return every provider's name, in the order of {@link #all()} */
  public List<String> names() {
    return providers.stream().map(Provider::name).toList();
  }

  /** @return true when no provider is registered */
  public boolean isEmpty() {
    return providers.isEmpty();
  }

  /**
   * @param name a provider name, matched ignoring case and surrounding blanks
   * @return the provider, or empty when none has that name
   */
  public Optional<P> find(String name) {
    if (name == null) {
      return Optional.empty();
    }
    String wanted = name.strip();
    return providers.stream().filter(p -> p.name().equalsIgnoreCase(wanted)).findFirst();
  }

  /**
   * @param name a provider name, matched ignoring case
   * @return the provider
   * @throws UnknownProviderException if no provider has that name; the message lists the known
   *     names
   */
  public P get(String name) {
    return find(name).orElseThrow(() -> unknown(name, null));
  }

  /**
   * The provider to use when the user named none: the one named by the system property {@link
   * #propertyKey()}, else by the environment variable {@link #environmentKey()}, else the one
   * with the lowest rank.
   *
   * @return the default provider
   * @throws NoProviderException if the registry is empty
   * @throws UnknownProviderException if an override names an unknown provider
   */
  public P getDefault() {
    String fromProperty = properties.apply(propertyKey());
    if (fromProperty != null && !fromProperty.isBlank()) {
      return find(fromProperty)
          .orElseThrow(() -> unknown(fromProperty, "system property " + propertyKey()));
    }
    String fromEnvironment = environment.apply(environmentKey());
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      return find(fromEnvironment)
          .orElseThrow(() -> unknown(fromEnvironment, "environment variable " + environmentKey()));
    }
    if (providers.isEmpty()) {
      throw new NoProviderException(
          "No "
              + kind
              + " provider found. Add a jar that registers one in "
              + servicesFile()
              + " (for the built-in ones, a module such as aia4j-backend-djl).");
    }
    return providers.get(0);
  }

  @Override
  public String toString() {
    return "ProviderRegistry[" + kind + ": " + String.join(", ", names()) + "]";
  }

  private UnknownProviderException unknown(String name, String source) {
    List<String> known = names();
    String message =
        "Unknown "
            + kind
            + " '"
            + name
            + "'"
            + (source == null ? "" : " (from " + source + ")")
            + ". Known "
            + plural(kind)
            + ": "
            + (known.isEmpty() ? "none" : String.join(", ", known))
            + ". Add a jar that registers it in "
            + servicesFile()
            + ".";
    return new UnknownProviderException(kind, name, known, message);
  }

  private String servicesFile() {
    return "META-INF/services/" + service.getName();
  }

  private List<P> deduplicate(List<? extends P> found) {
    Map<String, P> byName = new LinkedHashMap<>();
    for (P provider : found) {
      String name = provider == null ? null : provider.name();
      if (name == null || name.isBlank()) {
        LOG.warn("Ignoring a {} provider without a name: {}", kind, describe(provider));
        continue;
      }
      String key = name.strip().toLowerCase(Locale.ROOT);
      P previous = byName.get(key);
      if (previous == null) {
        byName.put(key, provider);
        continue;
      }
      P winner = provider.rank() < previous.rank() ? provider : previous;
      P loser = winner == provider ? previous : provider;
      LOG.warn(
          "Two {} providers are named '{}': using {} (rank {}), ignoring {} (rank {})",
          kind,
          name,
          describe(winner),
          winner.rank(),
          describe(loser),
          loser.rank());
      byName.put(key, winner);
    }
    List<P> sorted = new ArrayList<>(byName.values());
    sorted.sort(BY_RANK_THEN_NAME);
    return List.copyOf(sorted);
  }

  private static String describe(Object provider) {
    return provider == null ? "null" : provider.getClass().getName();
  }

  private static String checkKind(String kind) {
    if (kind == null || !KIND.matcher(kind).matches()) {
      throw new IllegalArgumentException(
          "A registry kind must be lower case letters, digits and '-' (e.g. 'image-tokenizer'),"
              + " got '"
              + kind
              + "'");
    }
    return kind;
  }

  static String plural(String noun) {
    if (noun.endsWith("s") || noun.endsWith("x") || noun.endsWith("sh") || noun.endsWith("ch")) {
      return noun + "es";
    }
    return noun + "s";
  }
}
