package org.aia4j.evaluation.world;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * The default world: flat shapes drawn by {@link SceneRenderer} and read back exactly by
 * {@link SceneAnalyser}. Both splits draw alike and a scene has one rendition, so the split and
 * variant are ignored.
 */
public final class ShapesWorld implements World {
  /** The world's name. */
  public static final String NAME = "shapes";

  private final WorldSpec spec;
  private final SceneRenderer renderer;
  private final SceneAnalyser analyser;

  /** @param spec a shapes world's geometry */
  public ShapesWorld(WorldSpec spec) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.renderer = new SceneRenderer(spec);
    this.analyser = new SceneAnalyser(spec);
  }

  /** The standard shapes world ({@link WorldSpec#standard()}). */
  public static ShapesWorld standard() {
    return new ShapesWorld(WorldSpec.standard());
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public WorldSpec spec() {
    return spec;
  }

  @Override
  public BufferedImage render(Scene scene, ImageSplit split, long variant) {
    return renderer.render(scene);
  }

  @Override
  public Analysis analyse(BufferedImage image) {
    return analyser.analyse(image);
  }

  /** The shapes world drawn at another size (e.g. 64), with the same held-out combinations. */
  @Override
  public World atSize(int imageSize) {
    if (imageSize == spec.imageSize()) {
      return this;
    }
    try {
      return new ShapesWorld(new WorldSpec(imageSize, spec.grid(), spec.heldOut()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("The world cannot read " + imageSize + "x" + imageSize + " images: "
          + e.getMessage(), e);
    }
  }

  @Override
  public String judge() {
    return "aia4j SceneAnalyser (exact)";
  }
}
