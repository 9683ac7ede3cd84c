package org.aia4j.evaluation.fashion;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.aia4j.evaluation.world.ObjectClass;

/**
 * The ten Fashion-MNIST classes, in the dataset's label order (label {@code i} is {@code
 * values()[i]}), each with the singular and plural nouns prompts use.
 */
public enum FashionClass implements ObjectClass {
  TSHIRT("t-shirt", "t-shirts"),
  TROUSER("trouser", "trousers"),
  PULLOVER("pullover", "pullovers"),
  DRESS("dress", "dresses"),
  COAT("coat", "coats"),
  SANDAL("sandal", "sandals"),
  SHIRT("shirt", "shirts"),
  SNEAKER("sneaker", "sneakers"),
  BAG("bag", "bags"),
  ANKLE_BOOT("ankle boot", "ankle boots");

  private final String noun;
  private final String plural;

  FashionClass(String noun, String plural) {
    this.noun = noun;
    this.plural = plural;
  }

  /** @return the singular noun, e.g. {@code ankle boot} */
  @Override
  public String label() {
    return noun;
  }

  /** @return the plural noun, e.g. {@code ankle boots} */
  @Override
  public String plural() {
    return plural;
  }

  /** @return the dataset's label of this class, 0 to 9 */
  public int datasetLabel() {
    return ordinal();
  }

  /**
   * @param label a dataset label
   * @return its class
   * @throws IllegalArgumentException if the label is not 0 to 9
   */
  public static FashionClass ofLabel(int label) {
    FashionClass[] all = values();
    if (label < 0 || label >= all.length) {
      throw new IllegalArgumentException("Fashion-MNIST label " + label + " is not in 0..9");
    }
    return all[label];
  }

  /**
   * @param noun a singular noun as {@link #label()} gives it, any case
   * @return its class
   * @throws IllegalArgumentException naming the known nouns if none matches
   */
  public static FashionClass ofNoun(String noun) {
    String wanted = noun.strip().toLowerCase(Locale.ROOT);
    for (FashionClass c : values()) {
      if (c.noun.equals(wanted)) {
        return c;
      }
    }
    throw new IllegalArgumentException("Unknown Fashion-MNIST class '" + noun + "'; known: "
        + Arrays.stream(values()).map(FashionClass::label).collect(Collectors.joining(", ")));
  }
}
