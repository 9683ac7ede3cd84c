package org.aia4j.evaluation.geneval;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.aia4j.evaluation.world.DetectedObject;
import org.aia4j.evaluation.world.ImageSplit;
import org.aia4j.evaluation.world.Scene;
import org.aia4j.evaluation.world.SceneObject;
import org.aia4j.evaluation.world.SceneSampler;
import org.aia4j.evaluation.world.ShapesWorld;
import org.aia4j.evaluation.world.Slot;
import org.aia4j.evaluation.world.World;
import org.aia4j.evaluation.world.WorldColor;
import org.aia4j.evaluation.world.WorldSpec;

/**
 * A perfect "model": for each prompt it builds a scene that satisfies it and renders it. It holds
 * exactly the objects the include clauses ask for, with the asked colours (else random ones), in
 * random slots; a positioned clause takes only slots where GenEval's
 * {@link GenEvalRules#relativePosition} gives the asked relation to every target object.
 *
 * <p>Each prompt's scenes depend only on the seed and the prompt's index (as GenEval's generation
 * script reseeds for every prompt), so any subset renders the same images.
 */
public final class GenEvalOracle {
  /** The default render seed (GenEval's generation script default). */
  public static final long DEFAULT_SEED = 42;

  /** Default samples per prompt, as GenEval. */
  public static final int DEFAULT_SAMPLES = 4;

  private static final int ATTEMPTS = 200;

  private final World world;
  private final WorldSpec spec;

  /** @param world the world whose scenes the oracle draws (evaluation split); the caller closes it */
  public GenEvalOracle(World world) {
    this.world = Objects.requireNonNull(world, "world");
    this.spec = world.spec();
  }

  /** An oracle of the shapes world {@code spec}. */
  public GenEvalOracle(WorldSpec spec) {
    this(new ShapesWorld(spec));
  }

  /** The world this oracle draws in. */
  public WorldSpec spec() {
    return spec;
  }

  /**
   * Renders {@code samples} images per prompt of {@code metadataFile} at {@code size} x {@code size}
   * into GenEval's layout in {@code outDir}: all of it or, on any error (bad metadata, a prompt no
   * scene can satisfy, an unusable size), nothing.
   *
   * @return the number of prompts rendered
   * @throws java.nio.file.FileAlreadyExistsException if {@code outDir} exists and is not empty
   * @throws IllegalArgumentException if the world cannot be drawn at {@code size} or a prompt is
   *     unsatisfiable
   */
  public static int render(World world, Path metadataFile, Path outDir, int samples, int size, long seed)
      throws IOException {
    if (samples < 1) {
      throw new IllegalArgumentException("Samples per prompt must be >= 1, got " + samples);
    }
    List<GenEvalPrompt> prompts = GenEvalMetadata.read(metadataFile);
    GenEvalOracle oracle = new GenEvalOracle(world.atSize(size));
    // Build every scene before writing anything, so an unsatisfiable prompt leaves no output.
    List<List<Scene>> scenes = new ArrayList<>();
    for (int i = 0; i < prompts.size(); i++) {
      scenes.add(oracle.scenes(prompts.get(i), i, samples, seed));
    }
    GenEvalLayout.writeDirectory(outDir, dir -> {
      for (int i = 0; i < prompts.size(); i++) {
        GenEvalLayout.writePrompt(dir, i, prompts.get(i), oracle.draw(scenes.get(i), i, seed));
      }
    });
    return prompts.size();
  }

  /** {@code samples} rendered images of prompt number {@code index}. */
  public List<BufferedImage> images(GenEvalPrompt prompt, int index, int samples, long seed) {
    return draw(scenes(prompt, index, samples, seed), index, seed);
  }

  /** Draws prompt {@code index}'s scenes from the evaluation split, each sample its own variant. */
  private List<BufferedImage> draw(List<Scene> scenes, int index, long seed) {
    List<BufferedImage> images = new ArrayList<>(scenes.size());
    for (int i = 0; i < scenes.size(); i++) {
      images.add(world.render(scenes.get(i), ImageSplit.EVALUATION, (seed * 1_000_003L + index) * 64 + i));
    }
    return images;
  }

  /** {@code samples} scenes satisfying prompt number {@code index}. */
  public List<Scene> scenes(GenEvalPrompt prompt, int index, int samples, long seed) {
    SceneSampler random = SceneSampler.allCombinations(spec, seed * 1_000_003L + index);
    List<Scene> scenes = new ArrayList<>(samples);
    for (int i = 0; i < samples; i++) {
      scenes.add(scene(prompt, random));
    }
    return scenes;
  }

  /**
   * One scene that satisfies {@code prompt}, drawn with {@code random}.
   *
   * @throws IllegalArgumentException if no scene of this world satisfies it (e.g. more objects
   *     than slots, or include and exclude clauses that contradict each other)
   */
  public Scene scene(GenEvalPrompt prompt, SceneSampler random) {
    GenEvalScorer.requireJudgeable(world.name(), spec, List.of(prompt));
    int needed = prompt.include().stream().mapToInt(GenEvalClause::count).sum();
    if (needed > spec.slots()) {
      throw new IllegalArgumentException("Prompt '" + prompt.prompt() + "' needs " + needed + " objects but the world "
          + "has " + spec.slots() + " slots");
    }
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Scene scene = attempt(prompt, random);
      if (scene != null && GenEvalRules.evaluate(prompt, groundTruth(scene)).correct()) {
        return scene;
      }
    }
    throw new IllegalArgumentException("No scene of a " + spec.grid() + "x" + spec.grid() + " slot grid satisfies '"
        + prompt.prompt() + "' (" + prompt.toMetadataLine() + ") after " + ATTEMPTS + " attempts");
  }

  /** One random try; {@code null} when a positioned clause finds no slot. */
  private Scene attempt(GenEvalPrompt prompt, SceneSampler random) {
    List<SceneObject> objects = new ArrayList<>();
    List<Slot> taken = new ArrayList<>();
    List<List<SceneObject>> groups = new ArrayList<>();
    for (GenEvalClause clause : prompt.include()) {
      List<Slot> free = random.freeSlots(spec.slots() - taken.size(), taken);
      List<Slot> slots = new ArrayList<>();
      for (Slot slot : free) {
        if (slots.size() == clause.count()) {
          break;
        }
        if (clause.position() == null || fits(slot, clause.position(), groups)) {
          slots.add(slot);
        }
      }
      if (slots.size() < clause.count()) {
        return null;
      }
      List<SceneObject> group = new ArrayList<>();
      for (Slot slot : slots) {
        WorldColor color = clause.color() != null ? clause.color() : random.randomColor();
        group.add(new SceneObject(clause.worldClass(spec).orElseThrow(), color, slot));
      }
      groups.add(group);
      objects.addAll(group);
      taken.addAll(slots);
    }
    return new Scene(objects);
  }

  private boolean fits(Slot slot, GenEvalPosition position, List<List<SceneObject>> groups) {
    double[] box = spec.objectBox(slot).toXyxy();
    for (SceneObject target : groups.get(position.targetGroup())) {
      double[] targetBox = spec.objectBox(target.slot()).toXyxy();
      if (!GenEvalRules.relativePosition(box, targetBox).contains(position.relation())) {
        return false;
      }
    }
    return true;
  }

  /** The detections a perfect detector reports for {@code scene} (pixel counts are not needed). */
  private Map<String, List<DetectedObject>> groundTruth(Scene scene) {
    return GenEvalRules.byClass(scene.objects().stream()
        .map(o -> new DetectedObject(o.shape(), o.color(), spec.objectBox(o.slot()), 0, o.slot(), 1.0))
        .toList(), spec.classes());
  }
}
