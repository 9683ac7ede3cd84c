package org.aia4j.evaluation.geneval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.aia4j.evaluation.world.ColorShape;
import org.aia4j.evaluation.world.ObjectClass;
import org.aia4j.evaluation.world.WorldColor;
import org.aia4j.evaluation.world.WorldSpec;

/**
 * GenEval's prompt templates (its {@code create_prompts.py}) on a world's classes, and the
 * default suite (the shapes world's; another world's suite has the same templates over its
 * classes, e.g. 270 prompts over the fashion world's five).
 *
 * <p>The default suite, in GenEval's tag order, 216 prompts:
 *
 * <table>
 *   <caption>Default suite</caption>
 *   <tr><th>tag</th><th>prompts</th><th>how</th></tr>
 *   <tr><td>single_object</td><td>4</td><td>every shape</td></tr>
 *   <tr><td>two_object</td><td>12</td><td>every ordered pair of distinct shapes</td></tr>
 *   <tr><td>counting</td><td>12</td><td>every shape x counts 2-4</td></tr>
 *   <tr><td>colors</td><td>40</td><td>every colour x shape</td></tr>
 *   <tr><td>position</td><td>48</td><td>every ordered pair of distinct shapes x 4 relations</td></tr>
 *   <tr><td>color_attr</td><td>100</td><td>each held-out combination once first and once second
 *       (8), the rest sampled without replacement from the 1,080 combinations (distinct shapes,
 *       distinct colours, as GenEval)</td></tr>
 * </table>
 *
 * Every prompt is distinct and the held-out colour-shape combinations appear in colors and
 * color_attr, so the suite tests composition. The same seed always gives the same suite.
 */
public final class GenEvalSuite {
  /** The default suite seed (GenEval's {@code create_prompts.py} default). */
  public static final long DEFAULT_SEED = 43;

  /** Number of color_attr prompts in a suite. */
  public static final int COLOR_ATTR_PROMPTS = 100;

  private static final String[] NUMBERS = {"zero", "one", "two", "three", "four", "five", "six", "seven",
      "eight", "nine", "ten"};

  private GenEvalSuite() {}

  /** The default suite: {@link #generate(WorldSpec, long)} of the standard world and {@link #DEFAULT_SEED}. */
  public static List<GenEvalPrompt> defaultSuite() {
    return generate(WorldSpec.standard(), DEFAULT_SEED);
  }

  /** The suite for {@code spec}'s held-out combinations, sampled from {@code seed}. */
  public static List<GenEvalPrompt> generate(WorldSpec spec, long seed) {
    return generate(spec, seed, 0);
  }

  /**
   * A suite with at least {@code perTag} entries per tag, for experiments that need more items
   * than the default: color_attr samples up to {@code max(100, perTag)} distinct combinations
   * (the first 100 are the default suite's), then every tag still short of {@code perTag} cycles
   * its prompts in order. A repeated prompt is a separate entry, so it gets its own images (each
   * entry's sampling seed derives from its index) and its own folder in GenEval's layout.
   *
   * @param perTag entries per tag at least; 0 = {@link #generate(WorldSpec, long)}'s suite exactly
   * @throws IllegalArgumentException if {@code perTag < 0}
   */
  public static List<GenEvalPrompt> generate(WorldSpec spec, long seed, int perTag) {
    if (perTag < 0) {
      throw new IllegalArgumentException("perTag must be >= 0 (0 = the suite as generated), got " + perTag);
    }
    List<GenEvalPrompt> base = distinct(spec, seed, Math.max(COLOR_ATTR_PROMPTS, perTag));
    java.util.Map<String, List<GenEvalPrompt>> byTag = new java.util.LinkedHashMap<>();
    for (GenEvalPrompt prompt : base) {
      byTag.computeIfAbsent(prompt.tag(), t -> new ArrayList<>()).add(prompt);
    }
    List<GenEvalPrompt> suite = new ArrayList<>();
    for (List<GenEvalPrompt> prompts : byTag.values()) {
      suite.addAll(prompts);
      for (int i = prompts.size(); i < perTag; i++) {
        suite.add(prompts.get(i % prompts.size()));
      }
    }
    return List.copyOf(suite);
  }

  private static List<GenEvalPrompt> distinct(WorldSpec spec, long seed, int colorAttrPrompts) {
    SplittableRandom random = new SplittableRandom(seed);
    List<ObjectClass> shapes = spec.classes();
    WorldColor[] colors = WorldColor.values();
    List<GenEvalPrompt> suite = new ArrayList<>();
    for (ObjectClass shape : shapes) {
      suite.add(singleObject(shape));
    }
    for (ObjectClass a : shapes) {
      for (ObjectClass b : shapes) {
        if (a != b) {
          suite.add(twoObject(a, b));
        }
      }
    }
    for (ObjectClass shape : shapes) {
      for (int count = 2; count <= 4; count++) {
        suite.add(counting(shape, count));
      }
    }
    for (WorldColor color : colors) {
      for (ObjectClass shape : shapes) {
        suite.add(colors(shape, color));
      }
    }
    for (ObjectClass a : shapes) {
      for (ObjectClass b : shapes) {
        if (a != b) {
          for (SpatialRelation relation : SpatialRelation.values()) {
            suite.add(position(a, relation, b));
          }
        }
      }
    }
    suite.addAll(colorAttrSample(spec, random, colorAttrPrompts));
    return List.copyOf(suite);
  }

  private static List<GenEvalPrompt> colorAttrSample(WorldSpec spec, SplittableRandom random, int count) {
    List<ColorShape> all = new ArrayList<>();
    for (ObjectClass shape : spec.classes()) {
      for (WorldColor color : WorldColor.values()) {
        all.add(new ColorShape(color, shape));
      }
    }
    List<GenEvalPrompt> pool = new ArrayList<>();
    for (ColorShape a : all) {
      for (ColorShape b : all) {
        if (a.shape() != b.shape() && a.color() != b.color()) {
          pool.add(colorAttr(a.shape(), a.color(), b.shape(), b.color()));
        }
      }
    }
    // Held-out combinations first, in a fixed order (a Set's iteration order is not).
    List<ColorShape> heldOut = spec.heldOut().stream()
        .sorted(Comparator.comparing((ColorShape c) -> spec.indexOf(c.shape())).thenComparing(c -> c.color().ordinal()))
        .toList();
    Set<GenEvalPrompt> chosen = new LinkedHashSet<>();
    for (ColorShape held : heldOut) {
      for (boolean first : new boolean[] {true, false}) {
        List<GenEvalPrompt> candidates = pool.stream()
            .filter(p -> !chosen.contains(p))
            .filter(p -> clauseIs(p.include().get(first ? 0 : 1), held))
            .toList();
        if (!candidates.isEmpty()) {
          chosen.add(candidates.get(random.nextInt(candidates.size())));
        }
      }
    }
    // Partial Fisher-Yates over the pool for the rest.
    List<GenEvalPrompt> rest = new ArrayList<>(pool);
    rest.removeAll(chosen);
    for (int i = 0; chosen.size() < count && i < rest.size(); i++) {
      int j = i + random.nextInt(rest.size() - i);
      GenEvalPrompt pick = rest.get(j);
      rest.set(j, rest.get(i));
      rest.set(i, pick);
      chosen.add(pick);
    }
    return List.copyOf(chosen);
  }

  private static boolean clauseIs(GenEvalClause clause, ColorShape combination) {
    return clause.className().equals(combination.shape().label()) && clause.color() == combination.color();
  }

  /** "a photo of a circle". */
  public static GenEvalPrompt singleObject(ObjectClass shape) {
    return GenEvalPrompt.of(GenEvalPrompt.SINGLE_OBJECT, "a photo of " + withArticle(shape.label()),
        GenEvalClause.of(shape, 1));
  }

  /** "a photo of a circle and a square". */
  public static GenEvalPrompt twoObject(ObjectClass a, ObjectClass b) {
    return GenEvalPrompt.of(GenEvalPrompt.TWO_OBJECT,
        "a photo of " + withArticle(a.label()) + " and " + withArticle(b.label()),
        GenEvalClause.of(a, 1), GenEvalClause.of(b, 1));
  }

  /** "a photo of three squares": include {@code count}, exclude {@code count + 1}, as GenEval. */
  public static GenEvalPrompt counting(ObjectClass shape, int count) {
    if (count < 2 || count >= NUMBERS.length - 1) {
      throw new IllegalArgumentException("Counting prompts take counts 2.." + (NUMBERS.length - 2) + ", got " + count);
    }
    return new GenEvalPrompt(GenEvalPrompt.COUNTING, List.of(GenEvalClause.of(shape, count)),
        List.of(GenEvalClause.of(shape, count + 1)), "a photo of " + NUMBERS[count] + " " + shape.plural());
  }

  /** "a photo of a red circle". */
  public static GenEvalPrompt colors(ObjectClass shape, WorldColor color) {
    return GenEvalPrompt.of(GenEvalPrompt.COLORS, "a photo of " + withArticle(color.label()) + " " + shape.label(),
        GenEvalClause.of(shape, 1).withColor(color));
  }

  /**
   * "a photo of a circle left of a square": as in GenEval's file, the target {@code b} is include
   * clause 0 and {@code a} carries {@code "position": [relation, 0]}.
   */
  public static GenEvalPrompt position(ObjectClass a, SpatialRelation relation, ObjectClass b) {
    return GenEvalPrompt.of(GenEvalPrompt.POSITION,
        "a photo of " + withArticle(a.label()) + " " + relation.label() + " " + withArticle(b.label()),
        GenEvalClause.of(b, 1), GenEvalClause.of(a, 1).withPosition(relation, 0));
  }

  /** "a photo of a red circle and a blue square". */
  public static GenEvalPrompt colorAttr(ObjectClass a, WorldColor colorA, ObjectClass b, WorldColor colorB) {
    return GenEvalPrompt.of(GenEvalPrompt.COLOR_ATTR,
        "a photo of " + withArticle(colorA.label()) + " " + a.label() + " and " + withArticle(colorB.label()) + " "
            + b.label(),
        GenEvalClause.of(a, 1).withColor(colorA), GenEvalClause.of(b, 1).withColor(colorB));
  }

  /** GenEval's article rule: "an" before a vowel ("an orange circle"), else "a". */
  static String withArticle(String noun) {
    return ("aeiou".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
  }
}
