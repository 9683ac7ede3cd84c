package org.aia4j.evaluation.world;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * Draws scenes of the shapes world with Java2D: flat colours, no anti-aliasing, so every pixel is
 * exactly the background or one palette colour and rendering is deterministic on every JVM.
 */
public final class SceneRenderer {
  private final WorldSpec spec;

  /** @throws IllegalArgumentException if {@code spec}'s classes are not {@link Shape}s */
  public SceneRenderer(WorldSpec spec) {
    this.spec = Objects.requireNonNull(spec, "spec");
    if (!spec.classes().stream().allMatch(Shape.class::isInstance)) {
      throw new IllegalArgumentException("The shapes renderer draws shapes only; this world's classes are "
          + spec.classLabels());
    }
  }

  /** The world this renderer draws. */
  public WorldSpec spec() {
    return spec;
  }

  /** Renders {@code scene} as a {@code TYPE_INT_RGB} image of the world's size. */
  public BufferedImage render(Scene scene) {
    BufferedImage image = new BufferedImage(spec.imageSize(), spec.imageSize(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      configure(g);
      g.setColor(new Color(WorldColor.BACKGROUND_RGB));
      g.fillRect(0, 0, spec.imageSize(), spec.imageSize());
      for (SceneObject object : scene.objects()) {
        g.setColor(new Color(object.color().rgb()));
        g.fill(((Shape) object.shape()).outline(spec.objectX(object.slot()), spec.objectY(object.slot()), spec.objectSize()));
      }
    } finally {
      g.dispose();
    }
    return image;
  }

  /**
   * The pixel mask of {@code shape} in an object box: {@code mask[y * size + x]}. The analyser
   * classifies blobs against these, so shape geometry is defined only once, here.
   */
  public boolean[] mask(Shape shape) {
    int size = spec.objectSize();
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      configure(g);
      g.setColor(Color.WHITE);
      g.fill(shape.outline(0, 0, size));
    } finally {
      g.dispose();
    }
    boolean[] mask = new boolean[size * size];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        mask[y * size + x] = (image.getRGB(x, y) & 0xFFFFFF) != 0;
      }
    }
    return mask;
  }

  private static void configure(Graphics2D g) {
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
    // Pure strokes rasterise shapes symmetrically; the default normalisation shifts them.
    g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
    g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
  }
}
