package org.aia4j.djl.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class TorchMemoryTest {

  @Test
  void aCopyHoldsTheValuesAndOutlivesItsStagingBuffer() {
    float[] values = {1.5f, -2f, 0f, -0f, 3.25f, 7f};
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      NDArray copy = TorchMemory.copyOf(manager, values, new Shape(2, 3));
      values[0] = 99f;
      System.gc();
      assertThat(copy.getShape()).isEqualTo(new Shape(2, 3));
      assertThat(copy.toFloatArray()).containsExactly(1.5f, -2f, 0f, -0f, 3.25f, 7f);
    }
  }

  @Test
  void overwritingWritesIntoTheExistingStorageSoViewsSeeTheNewValues() {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      NDArray target = manager.zeros(new Shape(2, 2));
      target.setRequiresGradient(true);
      // A view shares the storage; swapping the storage (as NDArray.set(float[]) does) would
      // leave it reading the old values.
      NDArray firstRow = target.get(new NDIndex("0"));
      TorchMemory.overwrite(target, new float[] {4f, 5f, 6f, 7f});
      assertThat(target.toFloatArray()).containsExactly(4f, 5f, 6f, 7f);
      assertThat(firstRow.toFloatArray()).containsExactly(4f, 5f);
      assertThat(target.hasGradient()).isTrue();
    }
  }

  @Test
  void aWrongNumberOfValuesIsRefusedWithTheShape() {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      NDArray target = manager.zeros(new Shape(3));
      assertThatThrownBy(() -> TorchMemory.overwrite(target, new float[] {1f, 2f}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("2 values do not fill shape (3)");
      assertThatThrownBy(() -> TorchMemory.copyOf(manager, new float[4], new Shape(2, 3)))
          .hasMessageContaining("4 values do not fill shape (2, 3)");
      assertThat(target.toFloatArray()).containsExactly(0f, 0f, 0f);
    }
  }
}
