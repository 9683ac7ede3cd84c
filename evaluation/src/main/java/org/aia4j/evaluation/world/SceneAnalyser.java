package org.aia4j.evaluation.world;

import java.awt.image.BufferedImage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The world's exact detector: colour segmentation, connected components and shape
 * classification against the renderer's own masks.
 *
 * <p>It is strict on purpose, like a detector with a score threshold (DESIGN section 6): a blob is
 * an object only if it lies inside one slot's object box and matches a shape mask with IoU of at
 * least {@link #MIN_IOU}; anything else is reported as a {@link RejectedBlob}. A lenient reader
 * would inflate every generation score.
 */
public final class SceneAnalyser {
  /** Smallest IoU between a blob and a shape mask that still counts as that shape. */
  public static final double MIN_IOU = 0.80;

  /** Largest squared RGB distance at which a pixel still reads as a palette colour. */
  static final int MAX_COLOR_DISTANCE_SQ = 48 * 48;

  private static final int BACKGROUND = -1;
  private static final int UNKNOWN = -2;

  private final WorldSpec spec;
  private final Map<Shape, boolean[]> masks = new EnumMap<>(Shape.class);

  public SceneAnalyser(WorldSpec spec) {
    this.spec = Objects.requireNonNull(spec, "spec");
    SceneRenderer renderer = new SceneRenderer(spec);
    for (Shape shape : Shape.values()) {
      masks.put(shape, renderer.mask(shape));
    }
  }

  /** The world this analyser reads. */
  public WorldSpec spec() {
    return spec;
  }

  /**
   * Reads the objects in {@code image}.
   *
   * @throws IllegalArgumentException if the image is not the world's size
   */
  public Analysis analyse(BufferedImage image) {
    Objects.requireNonNull(image, "image");
    int size = spec.imageSize();
    if (image.getWidth() != size || image.getHeight() != size) {
      throw new IllegalArgumentException("Expected a " + size + "x" + size + " image for this world, got "
          + image.getWidth() + "x" + image.getHeight() + " (pick the world size with --size)");
    }
    int[] labels = new int[size * size];
    int unknown = 0;
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int label = classifyPixel(image.getRGB(x, y) & 0xFFFFFF);
        labels[y * size + x] = label;
        if (label == UNKNOWN) {
          unknown++;
        }
      }
    }
    List<DetectedObject> objects = new ArrayList<>();
    List<RejectedBlob> rejected = new ArrayList<>();
    boolean[] seen = new boolean[size * size];
    for (int start = 0; start < labels.length; start++) {
      if (seen[start] || labels[start] < 0) {
        continue;
      }
      List<Integer> blob = component(labels, seen, start, size);
      classifyBlob(WorldColor.values()[labels[start]], blob, objects, rejected);
    }
    objects.sort((a, b) -> Integer.compare(a.slot().index(spec.grid()), b.slot().index(spec.grid())));
    return new Analysis(objects, rejected, unknown);
  }

  private void classifyBlob(WorldColor color, List<Integer> blob, List<DetectedObject> objects,
      List<RejectedBlob> rejected) {
    int size = spec.imageSize();
    int minX = Integer.MAX_VALUE;
    int minY = Integer.MAX_VALUE;
    int maxX = -1;
    int maxY = -1;
    for (int p : blob) {
      int x = p % size;
      int y = p / size;
      minX = Math.min(minX, x);
      minY = Math.min(minY, y);
      maxX = Math.max(maxX, x);
      maxY = Math.max(maxY, y);
    }
    BoundingBox box = new BoundingBox(minX, minY, maxX - minX + 1, maxY - minY + 1);
    int object = spec.objectSize();
    if (blob.size() < object * object / 3) {
      rejected.add(new RejectedBlob(color, box, blob.size(), "too small"));
      return;
    }
    int slotSize = spec.slotSize();
    Slot slot = new Slot(Math.min(spec.grid() - 1, (int) (box.centerY() / slotSize)),
        Math.min(spec.grid() - 1, (int) (box.centerX() / slotSize)));
    BoundingBox expected = spec.objectBox(slot);
    boolean[] inBox = new boolean[object * object];
    int outside = 0;
    for (int p : blob) {
      int x = p % size;
      int y = p / size;
      if (expected.contains(x, y)) {
        inBox[(y - expected.y()) * object + (x - expected.x())] = true;
      } else {
        outside++;
      }
    }
    Shape best = null;
    double bestIou = -1;
    for (Map.Entry<Shape, boolean[]> entry : masks.entrySet()) {
      double iou = iou(inBox, entry.getValue(), outside);
      if (iou > bestIou) {
        bestIou = iou;
        best = entry.getKey();
      }
    }
    if (bestIou < MIN_IOU) {
      String reason = outside > 0
          ? "spills out of its slot (" + outside + " pixels outside)"
          : String.format("fits no shape (best %s, IoU %.2f)", best.label(), bestIou);
      rejected.add(new RejectedBlob(color, box, blob.size(), reason));
      return;
    }
    objects.add(new DetectedObject(best, color, box, blob.size(), slot, bestIou));
  }

  private static double iou(boolean[] blob, boolean[] mask, int blobOutside) {
    int intersection = 0;
    int union = blobOutside;
    for (int i = 0; i < mask.length; i++) {
      if (blob[i] && mask[i]) {
        intersection++;
      }
      if (blob[i] || mask[i]) {
        union++;
      }
    }
    return union == 0 ? 0 : intersection / (double) union;
  }

  /** 4-connected component of equal labels containing {@code start}. */
  private static List<Integer> component(int[] labels, boolean[] seen, int start, int size) {
    List<Integer> pixels = new ArrayList<>();
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    queue.add(start);
    seen[start] = true;
    int label = labels[start];
    while (!queue.isEmpty()) {
      int p = queue.poll();
      pixels.add(p);
      int x = p % size;
      int y = p / size;
      int[] neighbours = {x > 0 ? p - 1 : -1, x < size - 1 ? p + 1 : -1, y > 0 ? p - size : -1,
          y < size - 1 ? p + size : -1};
      for (int n : neighbours) {
        if (n >= 0 && !seen[n] && labels[n] == label) {
          seen[n] = true;
          queue.add(n);
        }
      }
    }
    return pixels;
  }

  /** Palette index of the nearest colour, {@link #BACKGROUND}, or {@link #UNKNOWN} if none is near. */
  private static int classifyPixel(int rgb) {
    int best = UNKNOWN;
    int bestDistance = MAX_COLOR_DISTANCE_SQ + 1;
    int d = distanceSq(rgb, WorldColor.BACKGROUND_RGB);
    if (d < bestDistance) {
      best = BACKGROUND;
      bestDistance = d;
    }
    for (WorldColor color : WorldColor.values()) {
      d = distanceSq(rgb, color.rgb());
      if (d < bestDistance) {
        best = color.ordinal();
        bestDistance = d;
      }
    }
    return best;
  }

  private static int distanceSq(int a, int b) {
    int dr = ((a >> 16) & 0xFF) - ((b >> 16) & 0xFF);
    int dg = ((a >> 8) & 0xFF) - ((b >> 8) & 0xFF);
    int db = (a & 0xFF) - (b & 0xFF);
    return dr * dr + dg * dg + db * db;
  }
}
