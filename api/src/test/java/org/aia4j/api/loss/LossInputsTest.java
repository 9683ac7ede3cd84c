package org.aia4j.api.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.lang.reflect.Proxy;
import org.aia4j.api.model.Task;
import org.junit.jupiter.api.Test;

/** Shape checks only: the arrays are stand-ins that know their shape, so no engine is needed. */
class LossInputsTest {

  /** An NDArray that answers {@code getShape()} and nothing else. */
  private static NDArray shaped(long... dims) {
    Shape shape = new Shape(dims);
    return (NDArray)
        Proxy.newProxyInstance(
            NDArray.class.getClassLoader(),
            new Class<?>[] {NDArray.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getShape" -> shape;
                  case "toString" -> "NDArray" + shape;
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> proxy == args[0];
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }

  @Test
  void acceptsConsistentShapes() {
    NDList masses = new NDList(shaped(2), shaped(2), shaped(2));
    var inputs =
        new LossInputs(
            Task.GENERATION, shaped(2, 5, 300), shaped(2, 5), shaped(2, 5), masses, shaped(2));

    assertThat(inputs.batchSize()).isEqualTo(2);
    assertThat(inputs.layers()).isEqualTo(3);
    assertThat(inputs.hasInteractions()).isTrue();

    masses.clear();
    assertThat(inputs.layers()).as("the record keeps its own list").isEqualTo(3);
  }

  @Test
  void theStepIsCarriedAndNeverNegative() {
    var atStep = new LossInputs(Task.GENERATION, shaped(2, 5, 300), shaped(2, 5), shaped(2, 5), null, null, 41);
    assertThat(atStep.step()).isEqualTo(41);
    assertThat(new LossInputs(Task.GENERATION, shaped(2, 5, 300), shaped(2, 5), shaped(2, 5)).step())
        .as("outside a run").isZero();
    assertThatThrownBy(
            () -> new LossInputs(Task.GENERATION, shaped(2, 5, 300), shaped(2, 5), shaped(2, 5), null, null, -1))
        .hasMessage("step must be >= 0, got -1");
  }

  @Test
  void aLossWithoutOverridesNeedsNoMassesFitsAnyDepthAndLogsItsValue() {
    NDArray value = shaped();
    TrainingLoss plain = new TrainingLoss() {
      @Override
      public String name() {
        return "plain";
      }

      @Override
      public NDArray compute(LossInputs inputs) {
        return value;
      }
    };
    assertThat(plain.needsInteractions()).isFalse();
    plain.requireFits(1);
    LossTerms terms = plain.terms(new LossInputs(Task.UNDERSTANDING, shaped(1, 3, 7), shaped(1, 3), shaped(1, 3)));
    assertThat(terms.weighted()).isSameAs(value);
    assertThat(terms.unweighted()).isSameAs(value);
    assertThat(terms.layerMeans()).isNull();
    assertThatThrownBy(() -> new LossTerms(null, value, null)).hasMessage("weighted must not be null");
  }

  @Test
  void interactionsAndPromptDroppedAreOptional() {
    var plain = new LossInputs(Task.UNDERSTANDING, shaped(4, 9, 50), shaped(4, 9), shaped(4, 9));
    var nullList =
        new LossInputs(
            Task.UNDERSTANDING, shaped(4, 9, 50), shaped(4, 9), shaped(4, 9), null, null);

    assertThat(plain.hasInteractions()).isFalse();
    assertThat(plain.promptDropped()).isNull();
    assertThat(nullList.interactionMasses()).isEmpty();
  }

  @Test
  void mismatchedShapesAreNamed() {
    assertThatThrownBy(
            () -> new LossInputs(Task.GENERATION, shaped(2, 5), shaped(2, 5), shaped(2, 5)))
        .hasMessage("logits must be (B, T, V), got (2, 5)");
    assertThatThrownBy(
            () -> new LossInputs(Task.GENERATION, shaped(2, 5, 300), shaped(2, 4), shaped(2, 5)))
        .hasMessage("labels must be (B, T) = (2, 5) to match logits, got (2, 4)");
    assertThatThrownBy(
            () ->
                new LossInputs(
                    Task.GENERATION,
                    shaped(2, 5, 300),
                    shaped(2, 5),
                    shaped(2, 5),
                    new NDList(shaped(2), shaped(2, 1)),
                    null))
        .hasMessage("interactionMasses[1] must be (B) = (2) to match logits, got (2, 1)");
    assertThatThrownBy(
            () ->
                new LossInputs(
                    Task.GENERATION,
                    shaped(2, 5, 300),
                    shaped(2, 5),
                    shaped(2, 5),
                    new NDList(),
                    shaped(3)))
        .hasMessage("promptDropped must be (B) = (2) to match logits, got (3)");
  }
}
