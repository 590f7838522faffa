package dev.hwc.compiler.quant.calib;

/**
 * A streaming histogram of values over [−R, R) that grows with the data and never keeps the values:
 * {@code bins} bins of width {@code w = R / bins} on each side of 0 (bin j holds |x| in [jw, (j+1)w),
 * one array for x ≥ 0, one for x < 0). R is always a power of two strictly above the largest |x|
 * seen; when a value reaches R, R doubles (as often as needed) and each pair of adjacent bins
 * merges into one. Merging pairs is exact, so the histogram is the same whatever the chunking or
 * order of the values: a value lands in bin floor(|x| / w) of the final width either way.
 * Memory: 2 × bins longs. NaN and infinities are skipped.
 */
public final class Histogram {
  /** Bins per side: 4096, so at least 2048 bins always lie within [0, max|x|]. */
  public static final int DEFAULT_BINS = 4096;

  private final int bins;
  private final int log2Bins;
  private long[] pos;
  private long[] neg;
  /** R = 2^exponent once a non-zero value has been seen; until then only zeros are counted. */
  private int exponent;
  private boolean ranged;
  private long pendingZeros;
  private long total;

  public Histogram() {
    this(DEFAULT_BINS);
  }

  public Histogram(int binsPerSide) {
    if (binsPerSide < 2 || Integer.bitCount(binsPerSide) != 1) {
      throw new IllegalArgumentException("bins per side must be a power of two >= 2, got " + binsPerSide);
    }
    bins = binsPerSide;
    log2Bins = Integer.numberOfTrailingZeros(binsPerSide);
    pos = new long[bins];
    neg = new long[bins];
  }

  public void add(float[] values, int offset, int length) {
    float m = 0;
    for (int i = offset; i < offset + length; i++) {
      float a = Math.abs(values[i]);
      if (a > m && a <= Float.MAX_VALUE) { // NaN compares false
        m = a;
      }
    }
    add(values, offset, length, m);
  }

  /** Adds values whose largest finite magnitude the caller already knows to be {@code maxAbs}. */
  void add(float[] values, int offset, int length, float maxAbs) {
    if (maxAbs > 0) {
      cover(maxAbs);
    }
    if (!ranged) { // only zeros (and non-finite values) so far
      for (int i = offset; i < offset + length; i++) {
        if (Math.abs(values[i]) <= Float.MAX_VALUE) {
          pendingZeros++;
          total++;
        }
      }
      return;
    }
    double perBin = Math.scalb(1.0, log2Bins - exponent); // 1 / w, a power of two: exact
    long[] p = pos;
    long[] n = neg;
    long seen = 0;
    for (int i = offset; i < offset + length; i++) {
      float v = values[i];
      float a = Math.abs(v);
      if (!(a <= Float.MAX_VALUE)) {
        continue;
      }
      seen++;
      int j = (int) (a * perBin);
      if (v < 0) {
        n[j]++;
      } else {
        p[j]++;
      }
    }
    total += seen;
  }

  /** Grows R (merging bins) until |x| < R for x = m. */
  private void cover(float m) {
    int e = Math.getExponent((double) m) + 1; // 2^e > m
    if (!ranged) {
      exponent = e;
      ranged = true;
      pos[0] += pendingZeros;
      pendingZeros = 0;
      return;
    }
    if (e <= exponent) {
      return;
    }
    int shift = e - exponent;
    pos = merge(pos, shift);
    neg = merge(neg, shift);
    exponent = e;
  }

  private long[] merge(long[] h, int shift) {
    long[] out = new long[bins];
    for (int j = 0; j < bins; j++) {
      out[shift >= 31 ? 0 : j >> shift] += h[j];
    }
    return out;
  }

  public int binsPerSide() {
    return bins;
  }

  /** Bin width w, a power of two; 0 while only zeros have been seen. */
  public double width() {
    return ranged ? Math.scalb(1.0, exponent - log2Bins) : 0;
  }

  /** R: every value seen has |x| < R (0 while only zeros have been seen). */
  public double limit() {
    return ranged ? Math.scalb(1.0, exponent) : 0;
  }

  /** Values counted (finite ones). */
  public long total() {
    return total;
  }

  /** Counts of x ≥ 0: bin j holds x in [jw, (j+1)w). */
  public long[] positive() {
    long[] out = pos.clone();
    out[0] += pendingZeros;
    return out;
  }

  /** Counts of x < 0: bin j holds x in (−(j+1)w, −jw]. */
  public long[] negative() {
    return neg.clone();
  }

  /** Counts of |x|: bin j holds |x| in [jw, (j+1)w). */
  public long[] absolute() {
    long[] out = positive();
    for (int j = 0; j < bins; j++) {
      out[j] += neg[j];
    }
    return out;
  }

  /**
   * The value below which a fraction {@code q} of the values lie, interpolating linearly inside the
   * bin that holds it (values are taken as spread evenly across their bin); NaN when empty.
   */
  public double quantile(double q) {
    if (total == 0) {
      return Double.NaN;
    }
    double target = Math.max(0, Math.min(1, q)) * total;
    double w = width();
    long[] p = positive();
    long cum = 0;
    for (int k = 0; k < 2 * bins; k++) {
      boolean negative = k < bins;
      int j = negative ? bins - 1 - k : k - bins;
      long c = negative ? neg[j] : p[j];
      if (c > 0 && cum + c >= target) {
        double left = negative ? -(j + 1) * w : j * w;
        return left + w * (target - cum) / c;
      }
      cum += c;
    }
    return bins * w;
  }
}
