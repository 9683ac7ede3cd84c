package org.aia4j.inference.hf;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HalfTest {

  private static void assertSameFloat(float actual, float expected) {
    assertThat(Float.floatToRawIntBits(actual)).as("bits of " + actual + " vs " + expected)
        .isEqualTo(Float.floatToRawIntBits(expected));
  }

  @Test
  void f16HandComputedValues() {
    assertSameFloat(Half.f16ToFloat(0x0000), 0f);
    assertSameFloat(Half.f16ToFloat(0x8000), -0f);
    assertSameFloat(Half.f16ToFloat(0x3c00), 1f);
    assertSameFloat(Half.f16ToFloat(0x3e00), 1.5f);
    assertSameFloat(Half.f16ToFloat(0xc000), -2f);
    assertSameFloat(Half.f16ToFloat(0x3555), 0.333251953125f); // 1365/4096
    assertSameFloat(Half.f16ToFloat(0x7bff), 65504f); // largest half
    assertSameFloat(Half.f16ToFloat(0x0400), 0x1p-14f); // smallest normal
    assertSameFloat(Half.f16ToFloat(0x0001), 0x1p-24f); // smallest subnormal
    assertSameFloat(Half.f16ToFloat(0x8001), -0x1p-24f);
    assertSameFloat(Half.f16ToFloat(0x03ff), 1023 * 0x1p-24f); // largest subnormal
    assertSameFloat(Half.f16ToFloat(0x0200), 0x1p-15f);
    assertSameFloat(Half.f16ToFloat(0x7c00), Float.POSITIVE_INFINITY);
    assertSameFloat(Half.f16ToFloat(0xfc00), Float.NEGATIVE_INFINITY);
    assertThat(Half.f16ToFloat(0x7e00)).isNaN();
    assertThat(Half.f16ToFloat(0x7c01)).isNaN(); // signalling NaN, smallest payload
    assertThat(Half.f16ToFloat(0xfe00)).isNaN();
  }

  @Test
  void f16AgreesWithTheDefinitionForEveryBitPattern() {
    for (int bits = 0; bits < 0x10000; bits++) {
      int sign = bits >>> 15;
      int exponent = (bits >>> 10) & 0x1f;
      int mantissa = bits & 0x3ff;
      float actual = Half.f16ToFloat(bits);
      if (exponent == 0x1f) {
        assertThat(mantissa == 0 ? Float.isInfinite(actual) : Float.isNaN(actual))
            .as("bits %04x", bits).isTrue();
        continue;
      }
      // The definition, in double arithmetic: subnormals m * 2^-24, normals (1 + m/1024) 2^(e-15).
      double magnitude = exponent == 0
          ? Math.scalb((double) mantissa, -24)
          : Math.scalb(1 + mantissa / 1024.0, exponent - 15);
      double expected = sign == 1 ? -magnitude : magnitude;
      assertSameFloat(actual, (float) expected);
    }
  }

  @Test
  void bf16HandComputedValues() {
    assertSameFloat(Half.bf16ToFloat(0x0000), 0f);
    assertSameFloat(Half.bf16ToFloat(0x8000), -0f);
    assertSameFloat(Half.bf16ToFloat(0x3f80), 1f);
    assertSameFloat(Half.bf16ToFloat(0xc000), -2f);
    assertSameFloat(Half.bf16ToFloat(0x4049), 3.140625f);
    assertSameFloat(Half.bf16ToFloat(0x3c23), 0.0099487305f); // 163 * 2^-14
    assertSameFloat(Half.bf16ToFloat(0x0001), 0x1p-133f); // smallest subnormal
    assertSameFloat(Half.bf16ToFloat(0x0080), 0x1p-126f); // smallest normal
    assertSameFloat(Half.bf16ToFloat(0x7f7f), 0x1.fep127f); // largest
    assertSameFloat(Half.bf16ToFloat(0x7f80), Float.POSITIVE_INFINITY);
    assertSameFloat(Half.bf16ToFloat(0xff80), Float.NEGATIVE_INFINITY);
    assertThat(Half.bf16ToFloat(0x7fc0)).isNaN();
    assertThat(Half.bf16ToFloat(0x7f81)).isNaN();
    // Bits above the low 16 are ignored.
    assertSameFloat(Half.bf16ToFloat(0xabcd3f80), 1f);
  }
}
