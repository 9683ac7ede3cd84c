package org.aia4j.inference.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.aia4j.inference.sequence.TokenLayout;
import org.junit.jupiter.api.Test;

class LeftPaddingTest {

  @Test
  void shorterPrefixesArePaddedOnTheLeftAndCountPositionsFromTheirFirstToken() {
    LeftPadding batch = LeftPadding.of(List.of(new int[] {7, 8, 9}, new int[] {5}));
    assertThat(batch.length()).isEqualTo(3);
    assertThat(batch.padding()).containsExactly(0, 2);
    assertThat(batch.ids()).containsExactly(7, 8, 9, TokenLayout.PAD, TokenLayout.PAD, 5);
    assertThat(batch.positions()).containsExactly(0, 1, 2, 0, 0, 0);
    assertThat(LeftPadding.kept(batch.padding(), new int[] {1})).containsExactly(2);
  }
}
