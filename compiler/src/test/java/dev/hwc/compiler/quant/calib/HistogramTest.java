package dev.hwc.compiler.quant.calib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HistogramTest {
  @Test
  void binsAreAPowerOfTwoWideAndLimitIsStrictlyAboveTheLargestMagnitude() {
    Histogram h = new Histogram(8);
    h.add(new float[] {0f, 1f, -3f, 2.5f}, 0, 4);
    // max |x| = 3 -> R = 4 (2^2 > 3), w = 4 / 8 = 0.5
    assertEquals(4.0, h.limit());
    assertEquals(0.5, h.width());
    assertArrayEquals(new long[] {1, 0, 1, 0, 0, 1, 0, 0}, h.positive()); // 0 -> bin 0, 1 -> bin 2, 2.5 -> bin 5
    assertArrayEquals(new long[] {0, 0, 0, 0, 0, 0, 1, 0}, h.negative()); // -3 -> bin 6
    assertArrayEquals(new long[] {1, 0, 1, 0, 0, 1, 1, 0}, h.absolute());
    assertEquals(4, h.total());
  }

  @Test
  void growingMergesPairsAndKeepsZerosSeenBeforeTheRangeExisted() {
    Histogram h = new Histogram(8);
    h.add(new float[] {0f, 0f}, 0, 2);
    assertEquals(0.0, h.width());
    h.add(new float[] {1f}, 0, 1); // R = 2, w = 0.25: 1 -> bin 4
    assertArrayEquals(new long[] {2, 0, 0, 0, 1, 0, 0, 0}, h.positive());
    h.add(new float[] {5f, Float.NaN, Float.POSITIVE_INFINITY}, 0, 3); // R = 8, w = 1: 1 -> bin 1, 5 -> bin 5
    assertEquals(1.0, h.width());
    assertArrayEquals(new long[] {2, 1, 0, 0, 0, 1, 0, 0}, h.positive());
    assertEquals(4, h.total());
  }

  @Test
  void chunkingAndOrderDoNotChangeTheHistogram() {
    Random r = new Random(3);
    float[] v = new float[10_000];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (r.nextGaussian() * Math.exp(r.nextGaussian() * 3));
    }
    Histogram whole = new Histogram();
    whole.add(v, 0, v.length);
    Histogram chunked = new Histogram();
    for (int off = 0; off < v.length; off += 37) {
      chunked.add(v, off, Math.min(37, v.length - off));
    }
    float[] sorted = v.clone();
    Arrays.sort(sorted); // smallest magnitudes are not first: the range grows in both directions
    Histogram ordered = new Histogram();
    for (int off = 0; off < v.length; off += 1000) {
      ordered.add(sorted, off, 1000);
    }
    for (Histogram h : new Histogram[] {chunked, ordered}) {
      assertEquals(whole.width(), h.width());
      assertArrayEquals(whole.positive(), h.positive());
      assertArrayEquals(whole.negative(), h.negative());
    }
  }

  @Test
  void quantilesInterpolateWithinABin() {
    Histogram h = new Histogram(8);
    h.add(new float[] {-3f, -1f, 1f, 3f}, 0, 4); // R = 4, w = 0.5
    assertEquals(-3.5, h.quantile(0), 1e-12); // left edge of -3's bin (-3.5, -3]
    assertEquals(-3.25, h.quantile(0.125), 1e-12);
    assertEquals(1.25, h.quantile(0.625), 1e-12); // half-way through 1's bin [1, 1.5)
    assertEquals(3.5, h.quantile(1), 1e-12);
  }
}
