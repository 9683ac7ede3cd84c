package org.aia4j.djl.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.initializer.ConstantInitializer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** AdamW against a hand computation of PyTorch's formula, and its skipping of non-finite steps. */
class AdamWTest {

  private static Parameter parameter(NDManager manager, String name, Shape shape, float value) {
    Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT)
        .optInitializer(new ConstantInitializer(value)).build();
    p.setShape(shape);
    p.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32);
    return p;
  }

  @Test
  void oneStepMatchesTorchAdamWByHandAndClipsTheGlobalNorm() {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      Map<String, Parameter> params = new LinkedHashMap<>();
      params.put("w", parameter(manager, "w", new Shape(2, 2), 1f));
      params.put("b", parameter(manager, "b", new Shape(2), 1f));
      AdamW adam = new AdamW(params, 0.1);
      // loss = 3 * sum(w) + 4 * sum(b): gradients 3 and 4, global norm sqrt(4*9 + 2*16) = 8.246
      try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        NDArray loss = params.get("w").getArray().sum().mul(3f).add(params.get("b").getArray().sum().mul(4f));
        gc.backward(loss);
      }
      double norm = adam.update(0.01, 1.0);
      assertThat(norm).isCloseTo(Math.sqrt(68), offset(1e-5));
      // First step: m_hat = g, v_hat = g^2, so the update is lr * g / (|g| + eps) = lr * sign(g).
      // Weights (2-D) also decay: w * (1 - lr * wd) first.
      float expectedW = (float) (1 * (1 - 0.01 * 0.1) - 0.01);
      assertThat(params.get("w").getArray().toFloatArray()).containsOnly(expectedW);
      assertThat(params.get("b").getArray().toFloatArray()).containsOnly(new float[] {(float) (1 - 0.01), (float) (1 - 0.01)}, offset(1e-7f));
      assertThat(params.get("w").getArray().getGradient().toFloatArray()).containsOnly(0f);
      assertThat(adam.step()).isEqualTo(1);
    }
  }

  @Test
  void aNonFiniteGradientSkipsTheUpdateAndNamesTheParameter() {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      Map<String, Parameter> params = new LinkedHashMap<>();
      params.put("w", parameter(manager, "w", new Shape(3), 2f));
      AdamW adam = new AdamW(params, 0.0);
      try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        gc.backward(params.get("w").getArray().mul(Float.POSITIVE_INFINITY).sum());
      }
      assertThat(adam.update(0.1, 1.0)).isNaN();
      assertThat(adam.lastNonFinite()).containsExactly("w");
      assertThat(params.get("w").getArray().toFloatArray()).containsOnly(2f);
      assertThat(params.get("w").getArray().getGradient().toFloatArray()).containsOnly(0f);
      assertThat(adam.state().get("exp_avg.w")).containsOnly(0f);
    }
  }

  @Test
  void aCheckNamesNonFiniteGradientsWithoutChangingThemAndZeroingClearsThem() {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      Map<String, Parameter> params = new LinkedHashMap<>();
      params.put("a", parameter(manager, "a", new Shape(2), 1f));
      params.put("b", parameter(manager, "b", new Shape(2), 1f));
      AdamW adam = new AdamW(params, 0.0);
      try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        NDArray a = params.get("a").getArray();
        NDArray b = params.get("b").getArray();
        gc.backward(a.mul(3f).sum().add(b.mul(Float.NaN).sum()));
      }
      AdamW.GradientCheck check = adam.check();
      assertThat(check.finite()).isFalse();
      assertThat(check.nonFinite()).containsExactly("b");
      assertThat(params.get("a").getArray().getGradient().toFloatArray()).containsOnly(3f);
      adam.zeroGradients();
      // A fill: NaN * 0 would still be NaN.
      assertThat(params.get("b").getArray().getGradient().toFloatArray()).containsOnly(0f);
      assertThat(adam.check().finite()).isTrue();
      assertThat(adam.check().squaredSum()).isZero();
      assertThat(adam.step()).as("checking and zeroing take no step").isZero();
    }
  }
}
