package dev.hwc.compiler.quant.calib;

/**
 * A collector that keeps the exact min and max and a streaming {@link Histogram}, and chooses its
 * range from the histogram when asked (so asking is cheap to repeat and costs nothing per value).
 */
public abstract class HistogramCollector implements RangeCollector {
  private final MinMaxCollector minMax = new MinMaxCollector();
  private final Histogram histogram;

  protected HistogramCollector(int binsPerSide) {
    histogram = new Histogram(binsPerSide);
  }

  @Override
  public void add(float[] values, int offset, int length) {
    minMax.add(values, offset, length);
    if (minMax.count() > 0) {
      histogram.add(values, offset, length, minMax.absMax()); // the running max|x| covers this chunk's
    } else {
      histogram.add(values, offset, length, 0);
    }
  }

  @Override
  public long count() {
    return minMax.count();
  }

  @Override
  public long nonFinite() {
    return minMax.nonFinite();
  }

  @Override
  public float min() {
    return minMax.min();
  }

  @Override
  public float max() {
    return minMax.max();
  }

  /** The histogram so far (live: later adds change it). */
  public Histogram histogram() {
    return histogram;
  }

  @Override
  public Range range() {
    if (count() == 0) {
      return new Range(0, 0);
    }
    return choose(histogram, min(), max());
  }

  /** The range for a non-empty histogram whose values lie in [min, max]. */
  protected abstract Range choose(Histogram h, float min, float max);

  /** [−t, t] intersected with [min, max]: a symmetric threshold applied to the observed range. */
  protected static Range clip(double t, float min, float max) {
    float lo = (float) Math.max(-t, min);
    float hi = (float) Math.min(t, max);
    return new Range(Math.min(lo, hi), Math.max(lo, hi));
  }

  /** Number of |x| bins that cover the largest |x| seen: floor(max|x| / w) + 1. */
  protected static int coveringBins(Histogram h, float min, float max) {
    double m = Math.max(Math.abs((double) min), Math.abs((double) max));
    return h.width() == 0 ? 0 : Math.min(h.binsPerSide(), (int) (m / h.width()) + 1);
  }
}
