package org.aia4j.evaluation.fashion;

import java.util.Optional;
import org.aia4j.evaluation.world.WorldColor;

/**
 * Reads an item's tint from its pixels, with no learning: every pixel of a cell is {@code
 * background + a * (tint - background)} for some ink {@code a} in [0, 1] (how {@link
 * FashionSceneRenderer} draws), so the tint is the palette colour whose line from the background
 * explains the inked pixels with the least squared error, each pixel taking its best {@code a}.
 * Pixels closer to the background than {@link #INK_THRESHOLD} (per channel, summed) are left out:
 * they carry noise, not colour.
 */
public final class TintReader {
  /** Summed per-channel distance from the background below which a pixel counts as empty. */
  public static final int INK_THRESHOLD = 48;

  private TintReader() {}

  /** @return whether {@code pixel} ({@code 0xRRGGBB}) is inked: at least {@link #INK_THRESHOLD} from the background */
  public static boolean isInked(int pixel) {
    int bg = WorldColor.BACKGROUND_RGB;
    return Math.abs((pixel >> 16 & 0xFF) - (bg >> 16 & 0xFF)) + Math.abs((pixel >> 8 & 0xFF) - (bg >> 8 & 0xFF))
        + Math.abs((pixel & 0xFF) - (bg & 0xFF)) >= INK_THRESHOLD;
  }

  /**
   * Each pixel's ink under {@code tint}: its share {@code a} of the way from the background to the
   * tint, by least squares on that line, clamped to [0, 1] (how scenes are drawn, inverted).
   *
   * @param rgb pixels, packed {@code 0xRRGGBB}
   * @param tint the tint the pixels are drawn in
   * @param into receives {@code rgb.length} values from {@code offset}
   */
  public static void ink(int[] rgb, WorldColor tint, float[] into, int offset) {
    int bg = WorldColor.BACKGROUND_RGB;
    int t = tint.rgb();
    double tr = (t >> 16 & 0xFF) - (bg >> 16 & 0xFF);
    double tg = (t >> 8 & 0xFF) - (bg >> 8 & 0xFF);
    double tb = (t & 0xFF) - (bg & 0xFF);
    double norm = tr * tr + tg * tg + tb * tb;
    for (int i = 0; i < rgb.length; i++) {
      int p = rgb[i];
      double dr = (p >> 16 & 0xFF) - (bg >> 16 & 0xFF);
      double dg = (p >> 8 & 0xFF) - (bg >> 8 & 0xFF);
      double db = (p & 0xFF) - (bg & 0xFF);
      into[offset + i] = (float) Math.max(0, Math.min(1, (dr * tr + dg * tg + db * tb) / norm));
    }
  }

  /** @return how many of {@code rgb}'s pixels are inked ({@link #isInked}) */
  public static int inkedPixels(int[] rgb) {
    int count = 0;
    for (int pixel : rgb) {
      count += isInked(pixel) ? 1 : 0;
    }
    return count;
  }

  /**
   * @param rgb the cell's pixels, packed {@code 0xRRGGBB}
   * @return the best-fitting tint, or empty when no pixel is inked
   */
  public static Optional<WorldColor> read(int[] rgb) {
    int bg = WorldColor.BACKGROUND_RGB;
    int br = bg >> 16 & 0xFF;
    int bgg = bg >> 8 & 0xFF;
    int bb = bg & 0xFF;
    WorldColor[] palette = WorldColor.values();
    double[] error = new double[palette.length];
    int inked = 0;
    for (int pixel : rgb) {
      int dr = (pixel >> 16 & 0xFF) - br;
      int dg = (pixel >> 8 & 0xFF) - bgg;
      int db = (pixel & 0xFF) - bb;
      if (!isInked(pixel)) {
        continue;
      }
      inked++;
      for (int c = 0; c < palette.length; c++) {
        int t = palette[c].rgb();
        double tr = (t >> 16 & 0xFF) - br;
        double tg = (t >> 8 & 0xFF) - bgg;
        double tb = (t & 0xFF) - bb;
        double a = Math.max(0, Math.min(1, (dr * tr + dg * tg + db * tb) / (tr * tr + tg * tg + tb * tb)));
        double er = dr - a * tr;
        double eg = dg - a * tg;
        double eb = db - a * tb;
        error[c] += er * er + eg * eg + eb * eb;
      }
    }
    if (inked == 0) {
      return Optional.empty();
    }
    int best = 0;
    for (int c = 1; c < palette.length; c++) {
      if (error[c] < error[best]) {
        best = c;
      }
    }
    return Optional.of(palette[best]);
  }
}
