package dev.hwc.hwtests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.ir.Tensor;
import org.junit.jupiter.api.Test;

class CurveTraceTest {
  /** A class map from rows of text: '.' background, digits classes. */
  static byte[] map(String... rows) {
    byte[] m = new byte[rows.length * rows[0].length()];
    for (int y = 0; y < rows.length; y++) {
      for (int x = 0; x < rows[y].length(); x++) {
        char c = rows[y].charAt(x);
        m[y * rows[0].length() + x] = (byte) (c == '.' ? 0 : c - '0');
      }
    }
    return m;
  }

  @Test
  void extractFollowsTheNearestRunAndFillsGaps() {
    byte[] m = map(
        "..11......",
        "...1....1.",
        "..........",
        ".....1....",
        "........11");
    float[] x = CurveTrace.extract(m, 10, 5, 1);
    assertEquals(3.0f, x[0]); // longest run first: [2, 4)
    assertEquals(3.5f, x[1]); // the run near 3, not the one at 8
    assertEquals(4.5f, x[2]); // interpolated
    assertEquals(5.5f, x[3]);
    assertEquals(9.0f, x[4]);
    assertTrue(Float.isNaN(CurveTrace.extract(m, 10, 5, 2)[0]));
  }

  @Test
  void gapsAreBridgedTheShortWayAroundTheTrack() {
    byte[] m = map(
        ".1........",
        "..........",
        "..........",
        "........1.");
    float[] x = CurveTrace.extract(m, 10, 4, 1);
    assertEquals(1.5f, x[0]);
    assertEquals(0.5f, x[1], 1e-5); // 1.5 -> 8.5 is 3 px to the left, through the edge
    assertEquals(9.5f, x[2], 1e-5);
    assertEquals(8.5f, x[3]);
  }

  @Test
  void componentsAreEightConnected() {
    byte[] m = map(
        "1...2",
        ".1..2",
        "..1..",
        ".....",
        "11..2");
    assertEquals(2, CurveTrace.components(m, 5, 5, 1));
    assertEquals(2, CurveTrace.components(m, 5, 5, 2));
    assertEquals(0, CurveTrace.components(m, 5, 5, 3));
  }

  @Test
  void argmaxOverChannels() {
    Tensor t = Tensor.ofFloats(new long[] {1, 3, 1, 2}, 0.1f, 0.8f, 0.7f, 0.1f, 0.2f, 0.1f);
    assertArrayEquals(new byte[] {1, 0}, CurveTrace.argmax(t, 0));
  }

  @Test
  void r2IsOneWhenExactAndTakesResidualsAroundTheTrack() {
    CurveR2 r = new CurveR2();
    float[] truth = {1, 10, 20, 63.5f};
    r.add(truth.clone(), truth, 64);
    assertEquals(1.0, r.r2(), 1e-12);
    CurveR2 wrapped = new CurveR2();
    wrapped.add(new float[] {1, 10, 20, 0.5f}, truth, 64); // 0.5 is 1 px from 63.5 around the track
    assertEquals(0.25, wrapped.rmse() * wrapped.rmse(), 1e-6);
    CurveR2 missing = new CurveR2();
    missing.add(new float[] {Float.NaN, Float.NaN, Float.NaN, Float.NaN}, truth, 64);
    assertTrue(missing.r2() < 0.5);
  }

  @Test
  void classIoUPoolsIntersectionsAndUnions() {
    ClassIoU iou = new ClassIoU(3);
    iou.add(new byte[] {0, 1, 1, 2}, new byte[] {0, 1, 2, 2});
    assertEquals(1.0, iou.iou(0));
    assertEquals(0.5, iou.iou(1));
    assertEquals(0.5, iou.iou(2));
  }
}
