package org.aia4j.evaluation.mmbench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.aia4j.evaluation.world.ShapesWorld;
import org.aia4j.evaluation.world.World;
import org.aia4j.evaluation.world.WorldSpec;

/**
 * The MMBench-style suite on the embedded world: what {@code aia data mmbench} writes.
 *
 * <p>By default: {@value #DEFAULT_QUESTIONS} questions (50 per category) over 32x32 scenes
 * ({@link WorldSpec#standard()}), seed {@value #DEFAULT_SEED}. The file written is the expanded,
 * circular TSV: every question followed (after all originals) by its rotated copies, so a model
 * answers every copy and the scorer can apply CircularEval.
 */
public final class MmbenchSuite {
  /** The seed of the published default suite. */
  public static final long DEFAULT_SEED = 2024L;
  /** The default number of questions (CircularEval groups), 50 per category. */
  public static final int DEFAULT_QUESTIONS = 350;

  private MmbenchSuite() {}

  /** What was written. */
  public record Written(Path path, WorldSpec spec, long seed, int questions, int rows) {}

  /** The original (unrotated) questions of the suite over the shapes world {@code spec}. */
  public static List<MmbenchQuestion> questions(WorldSpec spec, long seed, int questions) {
    return new MmbenchGenerator(spec, seed).generate(questions);
  }

  /** The original (unrotated) questions of the suite over {@code world}. */
  public static List<MmbenchQuestion> questions(World world, long seed, int questions) {
    return new MmbenchGenerator(world, seed).generate(questions);
  }

  /** Writes the default-world circular TSV: {@code aia data mmbench --out FILE [--seed N] [--questions N]}. */
  public static Written writeCircularTsv(Path out, long seed, int questions) throws IOException {
    return writeCircularTsv(out, WorldSpec.standard(), seed, questions);
  }

  /**
   * Writes the circular TSV of {@code questions} questions over {@code spec}'s world, atomically.
   *
   * @throws IllegalArgumentException if {@code questions} is not in {@code [1, 1_000_000]}
   */
  public static Written writeCircularTsv(Path out, WorldSpec spec, long seed, int questions) throws IOException {
    return writeCircularTsv(out, new ShapesWorld(spec), seed, questions);
  }

  /** Writes the circular TSV of {@code questions} questions over {@code world}, atomically. */
  public static Written writeCircularTsv(Path out, World world, long seed, int questions) throws IOException {
    Objects.requireNonNull(out, "out");
    List<MmbenchQuestion> rows = CircularEval.expand(questions(world, seed, questions));
    MmbenchTsv.write(out, rows);
    return new Written(out, world.spec(), seed, questions, rows.size());
  }
}
