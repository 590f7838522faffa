package dev.hwc.compiler.quant.calib;

/**
 * Two-sided percentiles: [lo, hi] = [P(100 − p), P(p)] of the values (not of |x|), read from the
 * histogram with linear interpolation inside a bin (so exact to within one bin width, R / 4096), and
 * kept within the observed [min, max]. For a non-negative tensor (a ReLU output) lo is the low tail
 * of the data, usually 0; for a symmetric target take {@link Range#absMax()}.
 */
public final class PercentileCollector extends HistogramCollector {
  private final double percentile;

  public PercentileCollector(double percentile) {
    this(percentile, Histogram.DEFAULT_BINS);
  }

  public PercentileCollector(double percentile, int binsPerSide) {
    super(binsPerSide);
    if (!(percentile > 50 && percentile <= 100)) {
      throw new IllegalArgumentException("percentile must be in (50, 100], got " + percentile);
    }
    this.percentile = percentile;
  }

  @Override
  protected Range choose(Histogram h, float min, float max) {
    if (percentile == 100) {
      return new Range(min, max);
    }
    double lo = h.quantile(1 - percentile / 100);
    double hi = h.quantile(percentile / 100);
    float l = (float) Math.max(min, Math.min(max, lo));
    float u = (float) Math.max(min, Math.min(max, hi));
    return new Range(Math.min(l, u), Math.max(l, u));
  }

  @Override
  public Calibration calibration() {
    return Calibration.percentile(percentile);
  }
}
