package dev.hwc.compiler.quant.calib;

/**
 * TensorRT-style entropy calibration. Over the histogram of |x| (bins of width w covering max|x|,
 * at least 2048 of them), every candidate threshold t = i·w for i from 128 bins up is scored:
 *
 * <ul>
 *   <li>P, the reference: bins [0, i) with every count beyond them (the clipped outliers) added to
 *       bin i − 1;
 *   <li>Q, the candidate: bins [0, i) without the outliers, merged into 128 levels (int8's
 *       magnitudes; level j holds bins [floor(j·i/128), floor((j+1)·i/128))) and expanded back, each
 *       level's count spread evenly over the bins where P is non-zero;
 *   <li>the score is KL(P || Q) of the normalized distributions.
 * </ul>
 *
 * The threshold with the smallest divergence wins (the smallest i on ties), and the range is [−t, t]
 * kept within the observed [min, max] (so a non-negative tensor gets [0, t]). Spreading over P's
 * non-zero bins rather than the clipped slice's is the one liberty taken: it keeps Q non-zero where
 * the outliers land in an otherwise empty last bin; a candidate whose last level has only outliers
 * is skipped. Each candidate costs O(128) with prefix sums, so choosing takes a few milliseconds.
 */
public final class EntropyCollector extends HistogramCollector {
  /** Quantization levels of the candidate distribution (int8 magnitudes). */
  public static final int LEVELS = 128;

  public EntropyCollector() {
    this(Histogram.DEFAULT_BINS);
  }

  public EntropyCollector(int binsPerSide) {
    super(binsPerSide);
  }

  @Override
  protected Range choose(Histogram h, float min, float max) {
    int nb = coveringBins(h, min, max);
    if (nb == 0) {
      return new Range(min, max);
    }
    int i = thresholdBins(h.absolute(), nb, LEVELS);
    double maxAbs = Math.max(Math.abs((double) min), Math.abs((double) max));
    return clip(Math.min(i * h.width(), maxAbs), min, max);
  }

  /**
   * The number of bins i in [levels, nb] whose clipped-and-quantized distribution is closest to the
   * reference, by the rule in the class comment; nb itself when nb ≤ levels.
   *
   * @param hist counts of |x| per bin; bins at nb and beyond must be empty
   * @param nb the bins that hold values
   * @param levels quantization levels
   */
  static int thresholdBins(long[] hist, int nb, int levels) {
    if (nb <= levels) {
      return nb;
    }
    long[] cnt = new long[nb + 1]; // prefix counts
    int[] nz = new int[nb + 1]; // prefix non-zero bins
    double[] plp = new double[nb + 1]; // prefix of h ln h
    for (int k = 0; k < nb; k++) {
      cnt[k + 1] = cnt[k] + hist[k];
      nz[k + 1] = nz[k] + (hist[k] != 0 ? 1 : 0);
      plp[k + 1] = plp[k] + (hist[k] > 0 ? hist[k] * Math.log(hist[k]) : 0);
    }
    double total = cnt[nb];
    double best = Double.POSITIVE_INFINITY;
    int bestBins = nb;
    for (int i = levels; i <= nb; i++) {
      long outliers = cnt[nb] - cnt[i];
      long kept = cnt[i];
      if (kept == 0) {
        continue;
      }
      long last = hist[i - 1] + outliers;
      double pLnP = plp[i - 1] + (last > 0 ? last * Math.log(last) : 0);
      double pLnQ = 0;
      boolean infinite = false;
      for (int j = 0; j < levels; j++) {
        int a = (int) ((long) j * i / levels);
        int b = (int) ((long) (j + 1) * i / levels);
        long g = cnt[b] - cnt[a];
        int nonZero = nz[b] - nz[a];
        long s = g;
        if (j == levels - 1) {
          s += outliers;
          if (hist[i - 1] == 0 && outliers > 0) {
            nonZero++;
          }
        }
        if (s == 0) {
          continue;
        }
        if (g == 0) {
          infinite = true;
          break;
        }
        pLnQ += s * Math.log((double) g / nonZero);
      }
      if (infinite) {
        continue;
      }
      double kl = (pLnP - pLnQ) / total + Math.log(kept / total);
      if (kl < best) {
        best = kl;
        bestBins = i;
      }
    }
    return bestBins;
  }

  @Override
  public Calibration calibration() {
    return Calibration.ENTROPY;
  }
}
