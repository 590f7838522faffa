package dev.hwc.compiler.quant.calib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.ir.Tensor;
import dev.hwc.common.BadInputException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RangeCollectorTest {
  private static final List<Calibration> ALL = List.of(
      Calibration.MINMAX, Calibration.PERCENTILE, Calibration.percentile(99), Calibration.ENTROPY, Calibration.MSE);

  private static float[] iota(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = i;
    }
    return v;
  }

  /** 200,000 draws of N(0, 1) plus two outliers at ±60. */
  private static float[] gaussianWithOutliers(int n) {
    Random r = new Random(42);
    float[] v = new float[n + 2];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    v[n] = 60f;
    v[n + 1] = -60f;
    return v;
  }

  private static RangeCollector.Range collect(Calibration c, float[] v) {
    RangeCollector col = c.newCollector();
    col.add(v);
    return col.range();
  }

  @Test
  void minMaxIsExactAndIgnoresNonFiniteValues() {
    RangeCollector c = Calibration.MINMAX.newCollector();
    c.add(new float[] {0.5f, -2.25f, Float.NaN});
    c.add(Tensor.ofFloats(new long[] {2, 2}, 3.75f, 1f, Float.NEGATIVE_INFINITY, -0.5f));
    assertEquals(-2.25f, c.min());
    assertEquals(3.75f, c.max());
    assertEquals(new RangeCollector.Range(-2.25f, 3.75f), c.range());
    assertEquals(5, c.count());
    assertEquals(2, c.nonFinite());
  }

  @Test
  void nothingSeenGivesAnEmptyRangeAtZero() {
    for (Calibration cal : ALL) {
      RangeCollector c = cal.newCollector();
      assertEquals(new RangeCollector.Range(0, 0), c.range(), cal.toString());
      c.add(new float[] {0, 0, 0});
      assertEquals(new RangeCollector.Range(0, 0), c.range(), cal.toString());
    }
  }

  @Test
  void percentileOfZeroTo9999() {
    // numpy.percentile(arange(10000), [0.01, 99.99]) = [0.9999, 9998.0001]; bins are 16384/4096 = 4 wide
    RangeCollector.Range r = collect(Calibration.PERCENTILE, iota(10_000));
    assertEquals(0.9999, r.lo(), 4);
    assertEquals(9998.0001, r.hi(), 4);
    assertTrue(r.hi() <= 9999);
    // numpy.percentile(arange(100000), [1, 99]) = [999.99, 98999.01]; bins 131072/4096 = 32 wide
    RangeCollector.Range p99 = collect(Calibration.percentile(99), iota(100_000));
    assertEquals(999.99, p99.lo(), 32);
    assertEquals(98999.01, p99.hi(), 32);
    System.out.printf("percentile: 0..9999 p99.99 -> [%s, %s]; 0..99999 p99 -> [%s, %s]%n", r.lo(), r.hi(), p99.lo(), p99.hi());
  }

  @Test
  void percentileIsTwoSided() {
    float[] v = iota(10_000);
    for (int i = 0; i < v.length; i++) {
      v[i] -= 2000; // [-2000, 7999]
    }
    RangeCollector.Range r = collect(Calibration.percentile(99), v);
    assertEquals(-2000 + 99.99, r.lo(), 4);
    assertEquals(-2000 + 9899.01, r.hi(), 4);
  }

  @Test
  void entropyClipsAGaussiansOutliersButKeepsItsBody() {
    float[] v = gaussianWithOutliers(200_000);
    RangeCollector.Range r = collect(Calibration.ENTROPY, v);
    System.out.printf("entropy on N(0,1) + outliers at +-60: [%s, %s]%n", r.lo(), r.hi());
    assertTrue(r.hi() > 2 && r.hi() < 30, "threshold " + r.hi());
    assertEquals(-r.hi(), r.lo(), "symmetric");
  }

  @Test
  void mseClipsAGaussiansOutliersButKeepsItsBody() {
    float[] v = gaussianWithOutliers(1_000_000);
    RangeCollector.Range r = collect(Calibration.MSE, v);
    System.out.printf("mse on N(0,1) + outliers at +-60: [%s, %s]%n", r.lo(), r.hi());
    assertTrue(r.hi() > 2 && r.hi() < 30, "threshold " + r.hi());
    assertEquals(-r.hi(), r.lo(), "symmetric");
  }

  @Test
  void entropyAndMseStayNearTheMaxOfUniformData() {
    Random rnd = new Random(5);
    float[] v = new float[200_000];
    for (int i = 0; i < v.length; i++) {
      v[i] = rnd.nextFloat() * 2 - 1;
    }
    for (Calibration c : List.of(Calibration.ENTROPY, Calibration.MSE)) {
      RangeCollector.Range r = collect(c, v);
      System.out.printf("%s on U(-1, 1): [%s, %s]%n", c, r.lo(), r.hi());
      assertTrue(r.hi() > 0.9 && r.hi() <= 1, c + " " + r);
      assertTrue(r.lo() < -0.9 && r.lo() >= -1, c + " " + r);
    }
  }

  @Test
  void nonNegativeDataGetsARangeFromItsMinimum() {
    // one outlier left (at 60.25): MSE clips it only when the body's rounding noise outweighs it,
    // t = x·k / (k + N / (255² · 12)) for k outliers at x, so N is 2,000,000 here (t ≈ 0.28 x)
    float[] v = gaussianWithOutliers(2_000_000);
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.max(0, v[i]) + 0.25f; // a shifted ReLU output: min 0.25
    }
    for (Calibration c : List.of(Calibration.ENTROPY, Calibration.MSE)) {
      RangeCollector.Range r = collect(c, v);
      System.out.printf("%s on ReLU(N(0,1)) + 0.25 and an outlier at 60.25: [%s, %s]%n", c, r.lo(), r.hi());
      assertEquals(0.25f, r.lo(), c.toString());
      assertTrue(r.hi() > 2 && r.hi() < 30, c + " " + r);
    }
  }

  @Test
  void streamingInChunksEqualsAllAtOnce() {
    float[] v = gaussianWithOutliers(50_000);
    for (int i = 0; i < v.length; i += 7) {
      v[i] *= 3; // some asymmetry in the tails
    }
    for (Calibration cal : ALL) {
      RangeCollector whole = cal.newCollector();
      whole.add(v);
      RangeCollector chunked = cal.newCollector();
      for (int off = v.length; off > 0; off -= 4096) { // back to front: the outliers come first
        int from = Math.max(0, off - 4096);
        chunked.add(v, from, off - from);
      }
      assertEquals(whole.range(), chunked.range(), cal.toString());
      assertEquals(whole.min(), chunked.min());
      assertEquals(whole.max(), chunked.max());
      assertEquals(v.length, chunked.count());
    }
  }

  @Test
  void entropyPrefixSumsAgreeWithTheLiteralAlgorithm() {
    Random r = new Random(9);
    for (int trial = 0; trial < 20; trial++) {
      int nb = 129 + r.nextInt(400);
      long[] hist = new long[nb];
      for (int k = 0; k < nb; k++) {
        hist[k] = r.nextInt(4) == 0 ? 0 : (long) (1000 * Math.exp(-k / (20.0 + trial * 5)) + r.nextInt(3));
      }
      hist[nb - 1] = 1 + r.nextInt(3); // the max is in the last bin
      assertEquals(literalKlThreshold(hist, nb, 128), EntropyCollector.thresholdBins(hist, nb, 128), "trial " + trial);
    }
  }

  /** The algorithm as written in the class comment, with arrays: O(bins) per candidate. */
  private static int literalKlThreshold(long[] hist, int nb, int levels) {
    double best = Double.POSITIVE_INFINITY;
    int bestI = nb;
    for (int i = levels; i <= nb; i++) {
      double[] p = new double[i];
      for (int k = 0; k < i; k++) {
        p[k] = hist[k];
      }
      for (int k = i; k < nb; k++) {
        p[i - 1] += hist[k];
      }
      double[] q = new double[i];
      boolean infinite = false;
      for (int j = 0; j < levels; j++) {
        int a = j * i / levels;
        int b = (j + 1) * i / levels;
        double g = 0;
        int nz = 0;
        for (int k = a; k < b; k++) {
          g += hist[k];
          nz += p[k] != 0 ? 1 : 0;
        }
        for (int k = a; k < b; k++) {
          q[k] = p[k] != 0 ? g / nz : 0;
          infinite |= p[k] != 0 && q[k] == 0;
        }
      }
      if (infinite) {
        continue;
      }
      double sp = 0;
      double sq = 0;
      for (int k = 0; k < i; k++) {
        sp += p[k];
        sq += q[k];
      }
      double kl = 0;
      for (int k = 0; k < i; k++) {
        if (p[k] > 0) {
          kl += p[k] / sp * Math.log((p[k] / sp) / (q[k] / sq));
        }
      }
      if (kl < best - 1e-12) {
        best = kl;
        bestI = i;
      }
    }
    return bestI;
  }

  @Test
  void mseSuffixSumsAgreeWithADirectSum() {
    Random r = new Random(2);
    long[] hist = new long[300];
    for (int k = 0; k < hist.length; k++) {
      hist[k] = (long) (500 * Math.exp(-k / 15.0)) + (r.nextInt(50) == 0 ? 3 : 0);
    }
    hist[299] = 2;
    int i = MseCollector.thresholdBins(hist, 300, 0.01, 127.5);
    double chosen = MseCollector.expectedError(hist, 0.01, i * 0.01, 127.5);
    for (int k = 1; k <= 300; k++) {
      assertTrue(chosen <= MseCollector.expectedError(hist, 0.01, k * 0.01, 127.5) * (1 + 1e-9), "bin " + k);
    }
    // hand numbers: one value at centre 0.5 (bin 0 of width 1) and one at 3.5 (bin 3), 255 steps
    long[] two = {1, 0, 0, 1};
    double t = 2; // inside: (2/255)^2/12; clipped: (3.5 - 2)^2
    assertEquals(Math.pow(2 / 255.0, 2) / 12 + 2.25, MseCollector.expectedError(two, 1, t, 255), 1e-12);
  }

  @Test
  void parsesTheCalibrationFlag() {
    assertEquals(Calibration.MINMAX, Calibration.parse("minmax"));
    assertEquals(Calibration.PERCENTILE, Calibration.parse("percentile"));
    assertEquals(99.9, Calibration.parse("Percentile:99.9").percentile());
    assertEquals(Calibration.ENTROPY, Calibration.parse(" entropy "));
    assertEquals(Calibration.MSE, Calibration.parse("MSE"));
    assertEquals("percentile:99.99", Calibration.PERCENTILE.toString());
    assertEquals("percentile:99", Calibration.percentile(99).toString());
    assertEquals("entropy", Calibration.ENTROPY.toString());
    for (Calibration c : ALL) {
      assertEquals(c, Calibration.parse(c.toString()));
      assertEquals(c, c.newCollector().calibration());
    }
    assertEquals("unknown calibration method 'kl'; use minmax, percentile[:P], entropy or mse",
        assertThrows(BadInputException.class, () -> Calibration.parse("kl")).getMessage());
    assertTrue(assertThrows(BadInputException.class, () -> Calibration.parse("percentile:abc")).getMessage()
        .contains("bad calibration percentile 'abc'"));
    assertTrue(assertThrows(BadInputException.class, () -> Calibration.parse("percentile:40")).getMessage()
        .contains("(50, 100]"));
    assertTrue(assertThrows(BadInputException.class, () -> Calibration.parse("mse:3")).getMessage()
        .contains("takes no argument"));
  }
}
