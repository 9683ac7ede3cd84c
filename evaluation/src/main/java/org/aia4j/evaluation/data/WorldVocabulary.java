package org.aia4j.evaluation.data;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.aia4j.evaluation.geneval.GenEvalSuite;
import org.aia4j.evaluation.geneval.SpatialRelation;
import org.aia4j.evaluation.mmbench.MmbenchCategory;
import org.aia4j.evaluation.mmbench.MmbenchGenerator;
import org.aia4j.evaluation.mmbench.MmbenchPrompt;
import org.aia4j.evaluation.mmbench.MmbenchQuestion;
import org.aia4j.evaluation.mmbench.MmbenchSuite;
import org.aia4j.evaluation.world.ObjectClass;
import org.aia4j.evaluation.world.Scene;
import org.aia4j.evaluation.world.SceneObject;
import org.aia4j.evaluation.world.ShapesWorld;
import org.aia4j.evaluation.world.Slot;
import org.aia4j.evaluation.world.World;
import org.aia4j.evaluation.world.WorldColor;
import org.aia4j.evaluation.world.WorldSpec;

/**
 * The texts a model of the world may read or write, for fitting a text tokenizer: every training
 * template and answer, and the evaluation suites' own texts, so no evaluation word is unknown.
 * Held-out combinations appear here (the suites ask about them); the corpus is no training text.
 */
public final class WorldVocabulary {
  /** Training multiple-choice questions drawn per category to cover every template branch. */
  private static final int QUESTIONS_PER_CATEGORY = 40;

  private WorldVocabulary() {}

  /** The distinct texts of the shapes world {@code spec}, in a fixed order. */
  public static List<String> corpus(WorldSpec spec) {
    return corpus(new ShapesWorld(spec));
  }

  /** The distinct texts of {@code world}, in a fixed order. */
  public static List<String> corpus(World world) {
    WorldSpec spec = world.spec();
    Set<String> texts = new LinkedHashSet<>();
    // Words the templates compose: colours, shapes, numbers, option letters.
    for (WorldColor color : WorldColor.values()) {
      texts.add(color.label());
    }
    for (ObjectClass shape : spec.classes()) {
      texts.add(shape.label());
      texts.add(shape.plural());
    }
    texts.addAll(DirectQuestions.NUMBERS);
    for (int n = 0; n <= 10; n++) {
      texts.add(Integer.toString(n));
    }
    for (char letter = 'A'; letter <= 'Z'; letter++) {
      texts.add(String.valueOf(letter));
    }
    // Captions: every combination in every slot, and the instructions.
    texts.addAll(WorldCaption.PROMPTS);
    for (int i = 0; i < spec.slots(); i++) {
      Slot slot = Slot.ofIndex(i, spec.grid());
      for (ObjectClass shape : spec.classes()) {
        for (WorldColor color : WorldColor.values()) {
          texts.add(WorldCaption.object(new SceneObject(shape, color, slot)));
        }
      }
    }
    texts.add(WorldCaption.of(Scene.of(new SceneObject(spec.classes().get(0), WorldColor.RED, new Slot(0, 0)),
        new SceneObject(spec.classes().get(1), WorldColor.ORANGE, new Slot(1, 1)))));
    texts.addAll(new DirectQuestions(spec).corpus());
    texts.addAll(genevalTemplates(spec));
    GenEvalSuite.generate(spec, GenEvalSuite.DEFAULT_SEED).forEach(p -> texts.add(p.prompt()));
    texts.addAll(mmbench(world));
    return List.copyOf(texts);
  }

  /** Every prompt of GenEval's six templates over the world's shapes, colours and counts. */
  private static List<String> genevalTemplates(WorldSpec spec) {
    List<String> prompts = new ArrayList<>();
    for (ObjectClass a : spec.classes()) {
      prompts.add(GenEvalSuite.singleObject(a).prompt());
      for (int count = 2; count <= 9; count++) {
        prompts.add(GenEvalSuite.counting(a, count).prompt());
      }
      for (WorldColor colorA : WorldColor.values()) {
        prompts.add(GenEvalSuite.colors(a, colorA).prompt());
      }
      for (ObjectClass b : spec.classes()) {
        if (a == b) {
          continue;
        }
        prompts.add(GenEvalSuite.twoObject(a, b).prompt());
        for (SpatialRelation relation : SpatialRelation.values()) {
          prompts.add(GenEvalSuite.position(a, relation, b).prompt());
        }
        for (WorldColor colorA : WorldColor.values()) {
          for (WorldColor colorB : WorldColor.values()) {
            if (colorA != colorB) {
              prompts.add(GenEvalSuite.colorAttr(a, colorA, b, colorB).prompt());
            }
          }
        }
      }
    }
    return prompts;
  }

  /** MMBench's prompt format, the default suite's prompts and answers, and training questions. */
  private static List<String> mmbench(World world) {
    List<String> texts = new ArrayList<>();
    texts.add(MmbenchPrompt.INSTRUCTION.strip());
    texts.add(MmbenchPrompt.build("a hint", "a question", Map.of("A", "an option")));
    List<MmbenchQuestion> questions = new ArrayList<>(
        MmbenchSuite.questions(world, MmbenchSuite.DEFAULT_SEED, MmbenchSuite.DEFAULT_QUESTIONS));
    MmbenchGenerator training = MmbenchGenerator.trainingOnly(world, MmbenchSuite.DEFAULT_SEED + 1);
    for (MmbenchCategory category : MmbenchCategory.values()) {
      for (int i = 0; i < QUESTIONS_PER_CATEGORY; i++) {
        questions.add(training.generate(category, i));
      }
    }
    for (MmbenchQuestion question : questions) {
      texts.add(question.prompt()); // rotations reorder these words only
      texts.addAll(question.options().values());
      texts.add(question.answer());
    }
    return texts;
  }
}
