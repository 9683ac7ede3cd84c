package org.aia4j.djl.model;

import java.nio.file.Path;
import org.aia4j.testkit.PythonFixtures;

/**
 * {@link LlamaReferenceTest}'s checks on the tiny checkpoint's Chameleon twin: the same decoder
 * with per-head query/key LayerNorms (weights and biases far enough from 1 and 0 that a missing or
 * misplaced norm moves the logits well past the tolerance), and a {@code model.vqmodel.*} tensor
 * the import must skip.
 */
class ChameleonReferenceTest extends LlamaReferenceTest {

  @Override
  Path checkpoint() throws Exception {
    return PythonFixtures.tinyChameleon();
  }

  @Override
  boolean qkNorm() {
    return true;
  }
}
