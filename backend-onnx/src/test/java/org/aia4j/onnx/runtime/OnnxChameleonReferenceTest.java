package org.aia4j.onnx.runtime;

import java.nio.file.Path;
import org.aia4j.testkit.PythonFixtures;

/**
 * {@link OnnxLlamaReferenceTest}'s checks on the tiny checkpoint's Chameleon twin, whose per-head
 * query/key LayerNorms the graph computes before rotary (with the queries' {@code 1/sqrt(d)} moved
 * into their norm's weight and bias).
 */
class OnnxChameleonReferenceTest extends OnnxLlamaReferenceTest {

  @Override
  Path checkpoint() throws Exception {
    return PythonFixtures.tinyChameleon();
  }

  @Override
  boolean qkNorm() {
    return true;
  }
}
