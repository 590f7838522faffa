package dev.hwc.compiler.quant.calib;

/** Keeps the running min and max; chooses exactly [min, max]. */
public final class MinMaxCollector implements RangeCollector {
  private float min = Float.POSITIVE_INFINITY;
  private float max = Float.NEGATIVE_INFINITY;
  private long count;
  private long nonFinite;

  @Override
  public void add(float[] values, int offset, int length) {
    float lo = min;
    float hi = max;
    long bad = 0;
    for (int i = offset; i < offset + length; i++) {
      float v = values[i];
      if (!(Math.abs(v) <= Float.MAX_VALUE)) { // NaN or infinite
        bad++;
        continue;
      }
      if (v < lo) {
        lo = v;
      }
      if (v > hi) {
        hi = v;
      }
    }
    min = lo;
    max = hi;
    count += length - bad;
    nonFinite += bad;
  }

  @Override
  public long count() {
    return count;
  }

  @Override
  public long nonFinite() {
    return nonFinite;
  }

  @Override
  public float min() {
    return count == 0 ? 0 : min;
  }

  @Override
  public float max() {
    return count == 0 ? 0 : max;
  }

  /** The larger of |min| and |max|. */
  public float absMax() {
    return Math.max(Math.abs(min()), Math.abs(max()));
  }

  @Override
  public Range range() {
    return new Range(min(), max());
  }

  @Override
  public Calibration calibration() {
    return Calibration.MINMAX;
  }
}
