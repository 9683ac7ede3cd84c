package org.aia4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.aia4j.api.Registries;
import org.aia4j.api.backend.BackendProvider;
import org.aia4j.api.benchmark.BenchmarkProvider;
import org.aia4j.api.loss.LossProvider;
import org.aia4j.api.model.ModelProvider;
import org.aia4j.api.spi.Provider;
import org.aia4j.api.spi.ProviderRegistry;
import org.aia4j.api.tokenizer.ImageTokenizerProvider;
import org.aia4j.api.tokenizer.TextTokenizerProvider;

/**
 * The plug-ins the commands choose from, one registry per kind. {@link AiaModule} binds the
 * ServiceLoader registries of the context class loader: the class path, plus the jars of a plug-in
 * directory ({@code aia --plugins DIR} or {@code AIA4J_PLUGINS}, see {@link #directoryLoader});
 * an embedder or a test may bind others.
 */
record Plugins(
    ProviderRegistry<BackendProvider> backends,
    ProviderRegistry<ModelProvider> models,
    ProviderRegistry<LossProvider> losses,
    ProviderRegistry<BenchmarkProvider> benchmarks,
    ProviderRegistry<ImageTokenizerProvider> imageTokenizers,
    ProviderRegistry<TextTokenizerProvider> textTokenizers) {

  /** The environment variable naming a plug-in directory when {@code --plugins} is not given. */
  static final String ENVIRONMENT = "AIA4J_PLUGINS";

  private static final String SERVICES = "META-INF/services/";

  /** The registries {@link java.util.ServiceLoader} finds through the context class loader. */
  static Plugins fromClassPath() {
    return new Plugins(Registries.backends(), Registries.models(), Registries.losses(), Registries.benchmarks(),
        Registries.imageTokenizers(), Registries.textTokenizers());
  }

  /** Every registry, in the order {@code aia providers} lists them. */
  List<ProviderRegistry<? extends Provider>> all() {
    return List.of(backends, models, losses, benchmarks, imageTokenizers, textTokenizers);
  }

  /**
   * A class loader over every {@code *.jar} of {@code dir}, in name order, in front of {@code
   * parent}. Each jar is opened and every provider class its {@code META-INF/services} files list
   * is loaded now, so a broken plug-in fails here with its jar and class named, instead of being
   * skipped with a warning when a registry is built.
   *
   * @param dir the plug-in directory
   * @param parent the loader of aia4j itself
   * @return the loader; the caller closes it when the command is done
   * @throws NoSuchFileException if {@code dir} does not exist
   * @throws NotDirectoryException if {@code dir} is a file
   * @throws IOException naming the jar that cannot be opened
   * @throws IllegalArgumentException naming the jar and class of a provider that fails to load
   */
  static URLClassLoader directoryLoader(Path dir, ClassLoader parent) throws IOException {
    if (!Files.exists(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "the plug-in directory (--plugins or " + ENVIRONMENT
          + ") does not exist");
    }
    if (!Files.isDirectory(dir)) {
      throw new NotDirectoryException(dir + ": the plug-in directory (--plugins or " + ENVIRONMENT
          + ") is a file; give the directory that holds the jars");
    }
    List<Path> jars;
    try (Stream<Path> children = Files.list(dir)) {
      jars = children.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
    }
    List<URL> urls = new ArrayList<>();
    for (Path jar : jars) {
      urls.add(url(jar));
    }
    URLClassLoader loader = new URLClassLoader("aia4j-plugins", urls.toArray(URL[]::new), parent);
    try {
      for (Path jar : jars) {
        checkProviders(jar, loader);
      }
      return loader;
    } catch (IOException | RuntimeException e) {
      loader.close();
      throw e;
    }
  }

  /** Loads every class a jar's service files list, and checks it implements its service. */
  private static void checkProviders(Path jar, ClassLoader loader) throws IOException {
    List<String[]> listed = new ArrayList<>();
    try (JarFile file = new JarFile(jar.toFile())) {
      Enumeration<JarEntry> entries = file.entries();
      while (entries.hasMoreElements()) {
        JarEntry entry = entries.nextElement();
        String name = entry.getName();
        // Only aia4j's own services: a plug-in may bundle libraries with service files of theirs.
        if (entry.isDirectory() || !name.startsWith(SERVICES + "org.aia4j.")) {
          continue;
        }
        String service = name.substring(SERVICES.length());
        try (InputStream in = file.getInputStream(entry)) {
          for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            String className = line.replaceAll("#.*", "").strip();
            if (!className.isEmpty()) {
              listed.add(new String[] {service, className});
            }
          }
        }
      }
    } catch (IOException e) {
      throw new IOException("plug-in jar " + jar + " cannot be opened: " + e.getMessage(), e);
    }
    for (String[] entry : listed) {
      String service = entry[0];
      String className = entry[1];
      try {
        Class<?> serviceType = Class.forName(service, false, loader);
        Class<?> type = Class.forName(className, true, loader);
        if (!serviceType.isAssignableFrom(type)) {
          throw new IllegalArgumentException("plug-in jar " + jar + ": class " + className + " (listed in "
              + SERVICES + service + ") does not implement " + service);
        }
      } catch (ClassNotFoundException | LinkageError e) {
        throw new IllegalArgumentException("plug-in jar " + jar + ": provider class " + className + " (listed in "
            + SERVICES + service + ") fails to load: " + e, e);
      }
    }
  }

  private static URL url(Path jar) {
    try {
      return jar.toUri().toURL();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("plug-in jar " + jar + " has no URL: " + e.getMessage(), e);
    }
  }
}
