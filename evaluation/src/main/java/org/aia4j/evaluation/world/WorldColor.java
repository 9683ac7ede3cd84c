package org.aia4j.evaluation.world;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * GenEval's ten colour names, each drawn as one flat RGB value. The values are far apart in RGB
 * (and from the {@code #999999} background) so the analyser reads them back exactly, also from
 * slightly noisy model-made images.
 */
public enum WorldColor {
  RED("red", 0xE01B1B),
  ORANGE("orange", 0xF5821E),
  YELLOW("yellow", 0xF5DC1E),
  GREEN("green", 0x28A03C),
  BLUE("blue", 0x1E50DC),
  PURPLE("purple", 0x8228AA),
  PINK("pink", 0xFA96D2),
  BROWN("brown", 0x784614),
  BLACK("black", 0x0A0A0A),
  WHITE("white", 0xFAFAFA);

  /** GenEval's canvas colour, {@code #999999}. */
  public static final int BACKGROUND_RGB = 0x999999;

  private final String label;
  private final int rgb;

  WorldColor(String label, int rgb) {
    this.label = label;
    this.rgb = rgb;
  }

  /** The name used in prompts and in GenEval metadata, e.g. {@code red}. */
  public String label() {
    return label;
  }

  /** The packed {@code 0xRRGGBB} value drawn for this colour. */
  public int rgb() {
    return rgb;
  }

  /**
   * Parses a colour name case-insensitively.
   *
   * @throws IllegalArgumentException naming the known colours
   */
  public static WorldColor parse(String text) {
    String key = text.trim().toLowerCase(Locale.ROOT);
    for (WorldColor color : values()) {
      if (color.label.equals(key)) {
        return color;
      }
    }
    throw new IllegalArgumentException(
        "Unknown colour '" + text + "'. Known colours: "
            + Arrays.stream(values()).map(WorldColor::label).collect(Collectors.joining(", ")));
  }
}
