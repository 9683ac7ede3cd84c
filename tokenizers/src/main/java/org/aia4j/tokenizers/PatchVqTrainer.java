package org.aia4j.tokenizers;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.apache.commons.math3.ml.clustering.CentroidCluster;
import org.apache.commons.math3.ml.clustering.DoublePoint;
import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer;
import org.apache.commons.math3.ml.distance.EuclideanDistance;
import org.apache.commons.math3.random.Well19937c;

/**
 * Learns a {@link PatchVqTokenizer} codebook from images.
 *
 * <p>The training patches are first deduplicated and counted. Distinct patches are ordered by
 * frequency (most frequent first), then by their pixel values (row-major, lexicographic), so the
 * result does not depend on the order the images came in. Then:
 *
 * <ul>
 *   <li>if there are at most {@link #codebookSize()} distinct patches (the slot-aligned world,
 *       over all colour-shape combinations, has 161 at 32x32 and 271 at 64x64), each becomes a
 *       code in that order, and encoding the training data is lossless; the remaining codes are
 *       unused (see {@link PatchVqTokenizer});
 *   <li>otherwise the distinct patches are clustered with commons-math's k-means++ (seeded, at
 *       most {@link #iterations()} iterations) into {@link #codebookSize()} clusters, weighted by
 *       frequency: the clustering minimises the squared error of the training patches as
 *       encoding will meet them, so rare patches are merged before frequent ones (unweighted, a
 *       frequent orange patch was merged with its yellow twin, and 5-20% of 64x64 scenes read
 *       back wrong for some seeds). Each cluster's code is its most frequent patch, not its
 *       mean, so codes are patches that occurred, in their exact flat colours (a mean of red and
 *       orange patches would be a colour no image has). Codes are ordered by the total frequency
 *       of their cluster, then by pixel values.
 * </ul>
 *
 * <p>The same seed and the same data give an identical codebook.
 *
 * <p><b>Fit on every colour-shape combination</b> ({@code SceneSampler.allCombinations} in the
 * embedded world), not only the training ones: the held-out combinations have edge patches no
 * other combination has, and a codebook without them misreads those objects. Fitted on
 * training-only scenes, only 75% (32x32) and 95% (64x64) of all-combination scenes read back the
 * same; fitted on all combinations, 100%. The held-out split tests the model, not the tokenizer.
 *
 * <pre>{@code
 * PatchVqTokenizer tokenizer =
 *     PatchVqTrainer.defaults().withSeed(7).fit(images);   // 4x4 patches, 256 codes
 * }</pre>
 *
 * @param patchSize side of a patch in pixels
 * @param codebookSize number of codes
 * @param iterations the k-means iteration cap (unused when the distinct patches fit)
 * @param seed seeds k-means++
 */
public record PatchVqTrainer(int patchSize, int codebookSize, int iterations, long seed) {

  /** The default patch side: 4 pixels, as the world's slots assume. */
  public static final int DEFAULT_PATCH_SIZE = 4;
  /** The default number of codes. */
  public static final int DEFAULT_CODEBOOK_SIZE = 256;
  /** The default k-means iteration cap. */
  public static final int DEFAULT_ITERATIONS = 100;
  /** The default seed. */
  public static final long DEFAULT_SEED = 0;

  public PatchVqTrainer {
    if (patchSize < 1) {
      throw new IllegalArgumentException("The patch size must be positive, got " + patchSize);
    }
    if (codebookSize < 1) {
      throw new IllegalArgumentException("The codebook size must be positive, got " + codebookSize);
    }
    if (iterations < 1) {
      throw new IllegalArgumentException("Iterations must be positive, got " + iterations);
    }
  }

  /** 4x4 patches, 256 codes, 100 iterations, seed 0. */
  public static PatchVqTrainer defaults() {
    return new PatchVqTrainer(
        DEFAULT_PATCH_SIZE, DEFAULT_CODEBOOK_SIZE, DEFAULT_ITERATIONS, DEFAULT_SEED);
  }

  /** @return this trainer with another patch size */
  public PatchVqTrainer withPatchSize(int patchSize) {
    return new PatchVqTrainer(patchSize, codebookSize, iterations, seed);
  }

  /** @return this trainer with another codebook size */
  public PatchVqTrainer withCodebookSize(int codebookSize) {
    return new PatchVqTrainer(patchSize, codebookSize, iterations, seed);
  }

  /** @return this trainer with another k-means iteration cap */
  public PatchVqTrainer withIterations(int iterations) {
    return new PatchVqTrainer(patchSize, codebookSize, iterations, seed);
  }

  /** @return this trainer with another seed */
  public PatchVqTrainer withSeed(long seed) {
    return new PatchVqTrainer(patchSize, codebookSize, iterations, seed);
  }

  /**
   * @param images square images, all the same size, a multiple of {@link #patchSize()}
   * @return the tokenizer, for images of that size
   * @throws IllegalArgumentException if there are no images or their sizes differ or do not fit
   */
  public PatchVqTokenizer fit(Stream<BufferedImage> images) {
    return fit((Iterable<BufferedImage>) images::iterator);
  }

  /**
   * @param images square images, all the same size, a multiple of {@link #patchSize()}
   * @return the tokenizer, for images of that size
   * @throws IllegalArgumentException if there are no images or their sizes differ or do not fit
   */
  public PatchVqTokenizer fit(Iterable<BufferedImage> images) {
    PatchTable table = new PatchTable(patchSize);
    int size = -1;
    long count = 0;
    for (BufferedImage image : images) {
      if (size < 0) {
        size = image == null ? 0 : image.getWidth();
        if (size < patchSize || size % patchSize != 0) {
          throw new IllegalArgumentException(
              "Training images must be square with a side that is a multiple of the patch size "
                  + patchSize + "; the first is "
                  + (image == null ? "null" : image.getWidth() + "x" + image.getHeight()));
        }
      }
      try {
        ImageTokenizer.checkImage(image, size);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "Training image " + count + ": " + e.getMessage() + " (all must match the first)", e);
      }
      int[] pixels = PatchTable.rgb(image);
      for (int y = 0; y < size; y += patchSize) {
        for (int x = 0; x < size; x += patchSize) {
          table.add(pixels, y * size + x, size);
        }
      }
      count++;
    }
    if (count == 0) {
      throw new IllegalArgumentException("Cannot fit a codebook on no images");
    }
    long patches = count * (size / patchSize) * (size / patchSize);
    List<Distinct> distinct = sortedDistinct(table);
    boolean fits = distinct.size() <= codebookSize;
    List<int[]> codes = fits ? distinct.stream().map(Distinct::pixels).toList() : cluster(distinct);
    PatchVqTokenizer.Provenance provenance =
        new PatchVqTokenizer.Provenance(
            fits ? "distinct-patches" : "k-means++",
            seed,
            iterations,
            count,
            patches,
            distinct.size());
    return new PatchVqTokenizer(size, patchSize, codebookSize, codes, provenance);
  }

  /**
   * Points per distinct patch, on average, in the weighted k-means input. Measured on the 64x64
   * world (271 distinct patches, 256 codes): 16 read back 100% of 1,000 scenes for each of 11
   * seeds; 1 (unweighted) and 4 fell to 79-95% for some seeds.
   */
  static final int WEIGHT_RESOLUTION = 16;

  /** A distinct training patch and how often it occurred. */
  private record Distinct(int[] pixels, long count) {}

  private static final Comparator<int[]> BY_VALUES = Arrays::compare;
  private static final Comparator<Distinct> BY_FREQUENCY_THEN_VALUES =
      Comparator.comparingLong(Distinct::count)
          .reversed()
          .thenComparing(Distinct::pixels, BY_VALUES);

  private static List<Distinct> sortedDistinct(PatchTable table) {
    List<Distinct> distinct = new ArrayList<>(table.size());
    for (int i = 0; i < table.size(); i++) {
      distinct.add(new Distinct(table.patch(i), table.count(i)));
    }
    distinct.sort(BY_FREQUENCY_THEN_VALUES);
    return distinct;
  }

  /**
   * Frequency-weighted k-means++ over the distinct patches; a cluster's code is its most frequent
   * patch. commons-math has no point weights, so each distinct patch enters as copies in
   * proportion to its frequency, about {@link #WEIGHT_RESOLUTION} per distinct patch on average
   * and at least one.
   */
  private List<int[]> cluster(List<Distinct> distinct) {
    long total = distinct.stream().mapToLong(Distinct::count).sum();
    double budget = (double) WEIGHT_RESOLUTION * distinct.size();
    long[] copies = new long[distinct.size()];
    long fewest = Long.MAX_VALUE;
    for (int i = 0; i < distinct.size(); i++) {
      copies[i] = Math.max(1, Math.round(distinct.get(i).count() * budget / total));
      fewest = Math.min(fewest, copies[i]);
    }
    // Only the ratios weigh: when every patch has several copies (real textures, where nearly every
    // patch is distinct and each got about 10), dividing them all out leaves the clustering's
    // weights and makes it that many times faster. The shapes world's rare patches have one copy.
    Map<DoublePoint, Integer> rank = new IdentityHashMap<>();
    List<DoublePoint> points = new ArrayList<>();
    for (int i = 0; i < distinct.size(); i++) {
      double[] channels = channels(distinct.get(i).pixels());
      long n = Math.max(1, Math.round(copies[i] / (double) fewest));
      for (long k = 0; k < n; k++) {
        DoublePoint point = new DoublePoint(channels);
        rank.put(point, i);
        points.add(point);
      }
    }
    KMeansPlusPlusClusterer<DoublePoint> clusterer =
        new KMeansPlusPlusClusterer<>(
            codebookSize, iterations, new EuclideanDistance(), new Well19937c(seed));
    List<Distinct> codes = new ArrayList<>(codebookSize);
    for (CentroidCluster<DoublePoint> cluster : clusterer.cluster(points)) {
      int top = Integer.MAX_VALUE;
      long weight = 0;
      for (DoublePoint member : cluster.getPoints()) {
        int i = rank.get(member);
        top = Math.min(top, i); // distinct is sorted: the lowest rank is the most frequent
        weight += distinct.get(i).count();
      }
      if (top != Integer.MAX_VALUE) {
        // A patch that carries most of its cluster (a flat colour, an edge the world draws again
        // and again) is the cluster's code exactly; a cluster of textures, none of them frequent,
        // takes the member nearest its centre instead: its most frequent member is then an
        // arbitrary one (on Fashion-MNIST scenes that left a third of scenes readable).
        int code = 2 * distinct.get(top).count() >= weight ? top : nearest(cluster, rank);
        codes.add(new Distinct(distinct.get(code).pixels(), weight));
      }
    }
    codes.sort(BY_FREQUENCY_THEN_VALUES);
    return codes.stream().map(Distinct::pixels).toList();
  }

  /** The rank of the cluster member nearest the cluster's centre (ties: the lower rank). */
  private static int nearest(CentroidCluster<DoublePoint> cluster, Map<DoublePoint, Integer> rank) {
    double[] centre = cluster.getCenter().getPoint();
    int best = Integer.MAX_VALUE;
    double bestDistance = Double.POSITIVE_INFINITY;
    for (DoublePoint member : cluster.getPoints()) {
      double[] p = member.getPoint();
      double d = 0;
      for (int k = 0; k < p.length; k++) {
        d += (p[k] - centre[k]) * (p[k] - centre[k]);
      }
      int i = rank.get(member);
      if (d < bestDistance || d == bestDistance && i < best) {
        bestDistance = d;
        best = i;
      }
    }
    return best;
  }

  /** A patch as a point: red, green and blue of each pixel in turn. */
  private static double[] channels(int[] pixels) {
    double[] point = new double[3 * pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      point[3 * i] = (pixels[i] >> 16) & 0xFF;
      point[3 * i + 1] = (pixels[i] >> 8) & 0xFF;
      point[3 * i + 2] = pixels[i] & 0xFF;
    }
    return point;
  }
}
