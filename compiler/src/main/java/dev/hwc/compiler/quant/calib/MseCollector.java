package dev.hwc.compiler.quant.calib;

/**
 * The threshold t minimizing the expected squared error of 8-bit quantization over the histogram of
 * |x|: values above t cost their clipping error (c − t)² (c the bin centre), values within cost the
 * rounding noise Δ²/12 of a uniform quantizer with step Δ = t / 255 when the tensor is non-negative
 * (uint8 over [0, t]) or Δ = 2t / 255 otherwise (255 steps over [−t, t]). Candidates are every bin
 * edge t = i·w up to max|x|, each scored in O(1) with suffix sums. The range is [−t, t] kept within
 * the observed [min, max].
 */
public final class MseCollector extends HistogramCollector {
  public MseCollector() {
    this(Histogram.DEFAULT_BINS);
  }

  public MseCollector(int binsPerSide) {
    super(binsPerSide);
  }

  @Override
  protected Range choose(Histogram h, float min, float max) {
    int nb = coveringBins(h, min, max);
    if (nb == 0) {
      return new Range(min, max);
    }
    double steps = min >= 0 ? 255 : 127.5;
    int i = thresholdBins(h.absolute(), nb, h.width(), steps);
    double maxAbs = Math.max(Math.abs((double) min), Math.abs((double) max));
    return clip(Math.min(i * h.width(), maxAbs), min, max);
  }

  /**
   * The number of bins i in [1, nb] whose threshold t = i·w minimizes the expected error
   * (Δ²/12)·N(c ≤ t) + Σ_{c > t} n (c − t)², with Δ = t / steps.
   */
  static int thresholdBins(long[] hist, int nb, double width, double steps) {
    double[] a0 = new double[nb + 1]; // suffix sums of n, n·c, n·c²
    double[] a1 = new double[nb + 1];
    double[] a2 = new double[nb + 1];
    for (int k = nb - 1; k >= 0; k--) {
      double c = (k + 0.5) * width;
      a0[k] = a0[k + 1] + hist[k];
      a1[k] = a1[k + 1] + hist[k] * c;
      a2[k] = a2[k + 1] + hist[k] * c * c;
    }
    double total = a0[0];
    double best = Double.POSITIVE_INFINITY;
    int bestBins = nb;
    for (int i = 1; i <= nb; i++) {
      double t = i * width;
      double step = t / steps;
      double clipped = Math.max(0, a2[i] - 2 * t * a1[i] + t * t * a0[i]);
      double err = step * step / 12 * (total - a0[i]) + clipped;
      if (err < best) {
        best = err;
        bestBins = i;
      }
    }
    return bestBins;
  }

  /** The expected squared error {@link #thresholdBins} minimizes, for one threshold (for tests and reports). */
  static double expectedError(long[] hist, double width, double t, double steps) {
    double err = 0;
    double step = t / steps;
    for (int k = 0; k < hist.length; k++) {
      double c = (k + 0.5) * width;
      err += hist[k] * (c <= t ? step * step / 12 : (c - t) * (c - t));
    }
    return err;
  }

  @Override
  public Calibration calibration() {
    return Calibration.MSE;
  }
}
