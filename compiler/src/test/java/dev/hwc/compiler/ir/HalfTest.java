package dev.hwc.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HalfTest {
  @Test
  void roundTripsAndRoundsToNearestEven() {
    for (float f : new float[] {0f, 1f, -2.5f, 65504f, 6.1035156e-5f, 5.9604645e-8f, 0.1f}) {
      float back = Half.toFloat(Half.fromFloat(f));
      assertEquals(f, back, Math.abs(f) * 1e-3 + 1e-8, "value " + f);
    }
    assertEquals((short) 0x3c00, Half.fromFloat(1f));
    assertEquals((short) 0x7c00, Half.fromFloat(70000f)); // overflow -> inf
    assertEquals((short) 0x3c00, Half.fromFloat(1.00048828125f)); // halfway, rounds to even
    assertEquals((short) 0x3c02, Half.fromFloat(1.00146484375f)); // halfway, rounds to even (up)
    assertEquals(Float.POSITIVE_INFINITY, Half.toFloat((short) 0x7c00));
  }
}
