package org.aia4j.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ProviderRegistryTest {

  /** A provider as small as they come. */
  record Fake(String name, int rank) implements Provider {}

  private static final Function<String, String> UNSET = key -> null;

  private static ProviderRegistry<Fake> registry(List<Fake> providers) {
    return registry(providers, Map.of(), Map.of());
  }

  private static ProviderRegistry<Fake> registry(
      List<Fake> providers, Map<String, String> properties, Map<String, String> environment) {
    return new ProviderRegistry<>(
        Fake.class, "backend", providers, properties::get, environment::get);
  }

  @Test
  void sortsByRankThenName() {
    var registry =
        registry(List.of(new Fake("onnx", 10), new Fake("zeta", 0), new Fake("djl", 10)));

    assertThat(registry.names()).containsExactly("zeta", "djl", "onnx");
    assertThat(registry.all()).extracting(Fake::rank).containsExactly(0, 10, 10);
  }

  @Test
  void findsAndGetsIgnoringCase() {
    var registry = registry(List.of(new Fake("DJL", 0), new Fake("onnx", 1)));

    assertThat(registry.find("djl")).contains(new Fake("DJL", 0));
    assertThat(registry.find(" ONNX ")).contains(new Fake("onnx", 1));
    assertThat(registry.find("tvm")).isEmpty();
    assertThat(registry.find(null)).isEmpty();
    assertThat(registry.get("Onnx").name()).isEqualTo("onnx");
  }

  @Test
  void unknownNameListsTheKnownOnes() {
    var registry = registry(List.of(new Fake("onnx", 1), new Fake("djl", 0)));

    assertThatThrownBy(() -> registry.get("foo"))
        .isInstanceOf(UnknownProviderException.class)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Unknown backend 'foo'. Known backends: djl, onnx. Add a jar that registers it in"
                + " META-INF/services/org.aia4j.api.spi.ProviderRegistryTest$Fake.")
        .satisfies(
            e -> {
              var unknown = (UnknownProviderException) e;
              assertThat(unknown.kind()).isEqualTo("backend");
              assertThat(unknown.requested()).isEqualTo("foo");
              assertThat(unknown.known()).containsExactly("djl", "onnx");
            });
  }

  @Test
  void defaultIsTheLowestRankWithoutOverride() {
    var registry = registry(List.of(new Fake("onnx", 5), new Fake("djl", 1)));

    assertThat(registry.getDefault().name()).isEqualTo("djl");
  }

  @Test
  void propertyBeatsEnvironmentBeatsRank() {
    var providers = List.of(new Fake("djl", 0), new Fake("onnx", 1), new Fake("tvm", 2));

    var both =
        registry(providers, Map.of("aia4j.backend", "ONNX"), Map.of("AIA4J_BACKEND", "tvm"));
    var envOnly = registry(providers, Map.of(), Map.of("AIA4J_BACKEND", "tvm"));
    var blankProperty =
        registry(providers, Map.of("aia4j.backend", " "), Map.of("AIA4J_BACKEND", "tvm"));

    assertThat(both.getDefault().name()).isEqualTo("onnx");
    assertThat(envOnly.getDefault().name()).isEqualTo("tvm");
    assertThat(blankProperty.getDefault().name()).isEqualTo("tvm");
  }

  @Test
  void unknownOverrideSaysWhereItCameFrom() {
    var providers = List.of(new Fake("djl", 0));

    assertThatThrownBy(
            () -> registry(providers, Map.of(), Map.of("AIA4J_BACKEND", "cuda")).getDefault())
        .isInstanceOf(UnknownProviderException.class)
        .hasMessageStartingWith(
            "Unknown backend 'cuda' (from environment variable AIA4J_BACKEND). Known backends:"
                + " djl.");
    assertThatThrownBy(
            () -> registry(providers, Map.of("aia4j.backend", "cuda"), Map.of()).getDefault())
        .hasMessageContaining("(from system property aia4j.backend)");
  }

  @Test
  void emptyRegistrySaysWhichServicesFileToAdd() {
    var empty = registry(List.of());

    assertThat(empty.isEmpty()).isTrue();
    assertThatThrownBy(empty::getDefault)
        .isInstanceOf(NoProviderException.class)
        .hasMessageStartingWith(
            "No backend provider found. Add a jar that registers one in"
                + " META-INF/services/org.aia4j.api.spi.ProviderRegistryTest$Fake");
    assertThatThrownBy(() -> empty.get("djl")).hasMessageContaining("Known backends: none.");
  }

  @Test
  void duplicateNamesKeepTheLowestRank() {
    var registry =
        registry(
            List.of(
                new Fake("djl", 5),
                new Fake("DJL", 1),
                new Fake("onnx", 3),
                new Fake("onnx", 3),
                new Fake("tvm", 2),
                new Fake("tvm", 9)));

    assertThat(registry.all())
        .containsExactly(new Fake("DJL", 1), new Fake("tvm", 2), new Fake("onnx", 3));
  }

  @Test
  void providersWithoutANameAreIgnored() {
    var registry = registry(List.of(new Fake(" ", 0), new Fake("djl", 1)));

    assertThat(registry.names()).containsExactly("djl");
  }

  @Test
  void overrideKeysFollowTheKind() {
    var registry =
        new ProviderRegistry<>(Fake.class, "image-tokenizer", List.<Fake>of(), UNSET, UNSET);

    assertThat(registry.propertyKey()).isEqualTo("aia4j.image-tokenizer");
    assertThat(registry.environmentKey()).isEqualTo("AIA4J_IMAGE_TOKENIZER");
    assertThat(ProviderRegistry.plural("loss")).isEqualTo("losses");
  }

  @Test
  void rejectsKindsThatMakeBadKeys() {
    assertThatThrownBy(() -> ProviderRegistry.load(Fake.class, "Image Tokenizer"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got 'Image Tokenizer'");
  }

  @Test
  void serviceLoaderPathSkipsABrokenProvider() {
    // META-INF/services/org.aia4j.api.spi.Widget lists GoodWidget and BrokenWidget.
    var widgets = ProviderRegistry.load(Widget.class, "widget");

    assertThat(widgets.names()).containsExactly("good");
    assertThat(widgets.service()).isEqualTo(Widget.class);
    assertThat(widgets.kind()).isEqualTo("widget");
  }
}
