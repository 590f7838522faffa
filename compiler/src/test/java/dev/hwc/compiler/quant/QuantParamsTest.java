package dev.hwc.compiler.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Ranges too narrow for a float32 scale (calibration data of denormals): before, these failed the
 * build as an internal error ("scale must be positive and finite, got 0.0"); now they are the empty
 * range [0, 0], and every other range is as before.
 */
class QuantParamsTest {
  @Test
  void aSubnormalRangeIsTakenAsEmpty() {
    for (DType t : new DType[] {DType.UINT8, DType.INT8}) {
      for (boolean symmetric : new boolean[] {true, false}) {
        QuantParams p = QuantParams.forRange(t, -1e-45, 1e-40, symmetric);
        assertEquals(QuantParams.forRange(t, 0, 0, symmetric), p, t + " symmetric " + symmetric);
        assertEquals(1f, p.scale()[0]);
      }
    }
    // the smallest range that still gets its own scale
    double lo = QuantParams.MIN_SCALE * 255.0;
    QuantParams p = QuantParams.forRange(DType.UINT8, 0, lo, false);
    assertTrue(p.scale()[0] >= QuantParams.MIN_SCALE && p.scale()[0] < 1e-37, p.toString());
  }

  @Test
  void ordinaryRangesAreUnchanged() {
    QuantParams p = QuantParams.forRange(DType.UINT8, -1, 3, false);
    assertEquals(4 / 255f, p.scale()[0], 1e-9);
    assertEquals(64, p.zeroPoint()[0]);
    assertEquals(3 / 127f, QuantParams.forRange(DType.INT8, -3, 1, true).scale()[0], 1e-9);
  }

  @Test
  void aNonFiniteRangeIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> QuantParams.forRange(DType.INT8, Double.NaN, 1, true));
    assertThrows(IllegalArgumentException.class, () -> QuantParams.forRange(DType.INT8, 0, Double.POSITIVE_INFINITY, true));
  }

  @Test
  void subnormalWeightsQuantizeToZerosWithAUsableScale() {
    Tensor w = Tensor.ofFloats(new long[] {2, 2}, 1e-40f, -2e-40f, 0.5f, -1f);
    WeightQuantizer.Quantized q = WeightQuantizer.perChannel(w, 0, 127);
    assertEquals(1f, q.params().scale()[0]);
    assertEquals(1f / 127, q.params().scale()[1], 1e-9);
    assertEquals(0, q.values().toDoubles()[0]);
    assertEquals(-127, q.values().toDoubles()[3]);
  }
}
