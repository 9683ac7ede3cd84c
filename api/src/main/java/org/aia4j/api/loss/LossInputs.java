package org.aia4j.api.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.Objects;
import org.aia4j.api.model.Task;

/**
 * Everything a training loss may need from one forward pass over a batch of one task. The
 * trainer owns the arrays (through its {@code NDManager}); a loss reads them and must not close
 * them. Shapes are checked on construction, so a loss can rely on them.
 *
 * @param task the task of every sample in the batch
 * @param logits {@code (B, T, V)} float: next-token logits at every position
 * @param labels {@code (B, T)} int: the token each position should predict
 * @param labelMask {@code (B, T)} float 0/1: which positions count toward the token loss (the
 *     answer for understanding, the image for generation)
 * @param interactionMasses one {@code (B)} float array per layer: each sample's interaction mass
 *     {@code I_l} (DESIGN section 3), differentiable. Empty when the forward pass did not
 *     compute them (e.g. a run without AIA); never null
 * @param promptDropped {@code (B)} boolean or float 0/1: samples whose prompt was dropped for
 *     classifier-free guidance, which get no AIA term; null when no sample was dropped
 * @param step the run's step this batch is trained in, from 0, for losses whose weight or
 *     targets follow the run's progress; 0 outside a training run
 */
public record LossInputs(
    Task task,
    NDArray logits,
    NDArray labels,
    NDArray labelMask,
    NDList interactionMasses,
    NDArray promptDropped,
    long step) {

  // Checks the shapes and copies the list of interaction masses (not the arrays); a null list
  // becomes an empty one.
  public LossInputs {
    Objects.requireNonNull(task, "task must not be null");
    Objects.requireNonNull(logits, "logits must not be null");
    Objects.requireNonNull(labels, "labels must not be null");
    Objects.requireNonNull(labelMask, "labelMask must not be null");
    Shape logitsShape = logits.getShape();
    if (logitsShape.dimension() != 3) {
      throw new IllegalArgumentException("logits must be (B, T, V), got " + logitsShape);
    }
    Shape tokens = logitsShape.slice(0, 2);
    requireShape("labels", labels, tokens, "(B, T)");
    requireShape("labelMask", labelMask, tokens, "(B, T)");
    Shape batch = logitsShape.slice(0, 1);
    NDList masses = new NDList();
    if (interactionMasses != null) {
      for (int l = 0; l < interactionMasses.size(); l++) {
        NDArray mass =
            Objects.requireNonNull(
                interactionMasses.get(l), "interactionMasses[" + l + "] must not be null");
        requireShape("interactionMasses[" + l + "]", mass, batch, "(B)");
        masses.add(mass);
      }
    }
    interactionMasses = masses;
    if (promptDropped != null) {
      requireShape("promptDropped", promptDropped, batch, "(B)");
    }
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, got " + step);
    }
  }

  /**
   * Inputs outside a training run (step 0).
   *
   * @param task the task
   * @param logits {@code (B, T, V)}
   * @param labels {@code (B, T)}
   * @param labelMask {@code (B, T)}
   * @param interactionMasses one {@code (B)} array per layer, or null
   * @param promptDropped {@code (B)}, or null
   */
  public LossInputs(Task task, NDArray logits, NDArray labels, NDArray labelMask, NDList interactionMasses,
      NDArray promptDropped) {
    this(task, logits, labels, labelMask, interactionMasses, promptDropped, 0);
  }

  /**
   * Inputs for a loss without AIA terms.
   *
   * @param task the task
   * @param logits {@code (B, T, V)}
   * @param labels {@code (B, T)}
   * @param labelMask {@code (B, T)}
   */
  public LossInputs(Task task, NDArray logits, NDArray labels, NDArray labelMask) {
    this(task, logits, labels, labelMask, new NDList(), null, 0);
  }

  /** @return the batch size {@code B} */
  public long batchSize() {
    return logits.getShape().get(0);
  }

  /** @return the number of layers with interaction masses, 0 when none were computed */
  public int layers() {
    return interactionMasses.size();
  }

  /** @return true when per-layer interaction masses are present */
  public boolean hasInteractions() {
    return !interactionMasses.isEmpty();
  }

  private static void requireShape(String what, NDArray array, Shape expected, String symbolic) {
    Shape actual = array.getShape();
    if (!actual.equals(expected)) {
      throw new IllegalArgumentException(
          what + " must be " + symbolic + " = " + expected + " to match logits, got " + actual);
    }
  }
}
