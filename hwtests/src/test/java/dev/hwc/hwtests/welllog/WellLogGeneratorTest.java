package dev.hwc.hwtests.welllog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.hwtests.CurveTrace;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class WellLogGeneratorTest {
  private final WellLogGenerator gen = new WellLogGenerator();

  @Test
  void sameSeedSameStrip() {
    WellLogStrip a = gen.generate(42);
    WellLogStrip b = gen.generate(42);
    assertArrayEquals(a.image(), b.image());
    assertArrayEquals(a.labels(), b.labels());
    assertArrayEquals(a.curveX()[0], b.curveX()[0]);
    assertFalse(Arrays.equals(a.image(), gen.generate(43).image()));
  }

  @Test
  void curvesAreInkOnPaperAndTheirLabelsFollowTheirCentreLines() {
    int checked = 0;
    for (long seed = 0; seed < 20; seed++) {
      WellLogStrip s = gen.generate(seed);
      double[] sum = new double[3];
      long[] n = new long[3];
      for (int i = 0; i < s.labels().length; i++) {
        sum[s.labels()[i]] += s.image()[i];
        n[s.labels()[i]]++;
      }
      for (int k = 0; k < 2; k++) {
        if (!s.hasCurve(k)) {
          assertEquals(0, n[k + 1], "no pixels for an absent curve");
          continue;
        }
        checked++;
        assertTrue(sum[k + 1] / n[k + 1] < sum[0] / n[0] - 0.15, "curve " + (k + 1) + " darker than the page, seed " + seed);
        // in most rows, a pixel of the curve lies within 2 px of its centre line
        int near = 0;
        int rows = 0;
        for (int y = 0; y < s.height(); y++) {
          float x = s.curveX()[k][y];
          boolean hit = false;
          for (int xx = Math.max(0, (int) x - 2); xx <= Math.min(s.width() - 1, (int) x + 2); xx++) {
            hit |= s.label(xx, y) == k + 1;
          }
          near += hit ? 1 : 0;
          rows++;
        }
        assertTrue(near > 0.9 * rows, "curve " + (k + 1) + " labelled along its centre line in " + near + "/" + rows + " rows, seed " + seed);
      }
    }
    assertTrue(checked > 25);
  }

  @Test
  void theSetHasOneAndTwoCurveStripsCrossingsAndWraps() {
    int single = 0;
    int wraps = 0;
    int crossings = 0;
    for (long seed = 0; seed < 60; seed++) {
      WellLogStrip s = gen.generate(seed);
      single += s.hasCurve(0) && s.hasCurve(1) ? 0 : 1;
      for (int k = 0; k < 2; k++) {
        if (!s.hasCurve(k)) {
          continue;
        }
        for (int y = 1; y < s.height(); y++) {
          if (Math.abs(s.curveX()[k][y] - s.curveX()[k][y - 1]) > s.width() / 2.0) {
            wraps++;
            break;
          }
        }
      }
      if (s.hasCurve(0) && s.hasCurve(1)) {
        for (int y = 1; y < s.height(); y++) {
          if (Math.signum(s.curveX()[0][y] - s.curveX()[1][y]) != Math.signum(s.curveX()[0][y - 1] - s.curveX()[1][y - 1])) {
            crossings++;
            break;
          }
        }
      }
    }
    assertTrue(single > 3 && single < 25, "single-curve strips: " + single);
    assertTrue(wraps > 5, "wrapping curves: " + wraps);
    assertTrue(crossings > 10, "strips whose curves cross: " + crossings);
  }

  @Test
  void otherSizesWork() {
    WellLogStrip s = new WellLogGenerator(128, 1024).generate(5);
    assertEquals(128 * 1024, s.image().length);
    assertEquals(1024, s.curveX()[0].length);
    assertTrue(CurveTrace.components(s.labels(), 128, 1024, WellLogStrip.CURVE1) + CurveTrace.components(s.labels(), 128, 1024,
        WellLogStrip.CURVE2) > 0);
    assertThrows(IllegalArgumentException.class, () -> new WellLogGenerator(16, 512));
  }

  @Test
  void pixelsAreInRange() {
    WellLogStrip s = gen.generate(7);
    for (float v : s.image()) {
      assertTrue(v >= 0 && v <= 1);
    }
  }
}
