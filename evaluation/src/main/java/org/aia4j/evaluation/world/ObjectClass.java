package org.aia4j.evaluation.world;

/**
 * A class of object a world's scenes show and its prompts name: a shape in the shapes world, a
 * Fashion-MNIST garment in the fashion world. Its nouns are what prompts, questions, captions and
 * GenEval metadata spell, so two classes of one world must differ in both.
 */
public interface ObjectClass {

  /** The singular noun, e.g. {@code circle} or {@code ankle boot}. */
  String label();

  /** The plural noun, e.g. {@code crosses} or {@code ankle boots}. */
  String plural();
}
