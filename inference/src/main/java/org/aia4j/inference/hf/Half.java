package org.aia4j.inference.hf;

/**
 * Conversions of 16-bit floats to float32, by hand because {@code Float.float16ToFloat} needs Java
 * 20 and aia4j targets 17.
 */
public final class Half {

  private Half() {}

  /**
   * Decodes an IEEE 754 binary16 value (1 sign, 5 exponent, 10 mantissa bits). Every half is
   * exactly representable as a float, so this is exact; NaN payloads are kept (shifted into the
   * float's mantissa) so a NaN stays a NaN.
   *
   * @param bits the half's bits in the low 16 bits
   * @return the same value as a float
   */
  public static float f16ToFloat(int bits) {
    int sign = (bits & 0x8000) << 16;
    int exponent = (bits >>> 10) & 0x1f;
    int mantissa = bits & 0x3ff;
    if (exponent == 0x1f) {
      // Infinity (mantissa 0) or NaN.
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    if (exponent == 0) {
      if (mantissa == 0) {
        return Float.intBitsToFloat(sign);
      }
      // Subnormal: mantissa * 2^-24, exact in float arithmetic (a 10-bit integer times a power
      // of two).
      float magnitude = mantissa * 0x1p-24f;
      return sign == 0 ? magnitude : -magnitude;
    }
    // Normal: rebias the exponent from 15 to 127.
    return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
  }

  /**
   * Decodes a bfloat16 value: by definition the upper 16 bits of a float32.
   *
   * @param bits the bfloat16's bits in the low 16 bits
   * @return the same value as a float
   */
  public static float bf16ToFloat(int bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }
}
