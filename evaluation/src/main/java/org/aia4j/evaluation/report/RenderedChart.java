package org.aia4j.evaluation.report;

import java.util.Objects;

/**
 * A rendered chart: a PNG and what it shows.
 *
 * @param id a stable identifier, e.g. {@code interaction-und}
 * @param title the chart's title
 * @param png the PNG bytes
 * @param width width in pixels
 * @param height height in pixels
 */
public record RenderedChart(String id, String title, byte[] png, int width, int height) {

  public RenderedChart {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(title, "title");
    png = png.clone();
  }

  @Override
  public byte[] png() {
    return png.clone();
  }
}
