package dev.hwc.build;

/**
 * The knee of a falling accuracy curve by Kneedle (Satopää, Albrecht, Irwin, Raghavan: "Finding a
 * 'Kneedle' in a Haystack: Detecting Knee Points in System Behavior", ICDCS workshops 2011,
 * https://raghavan.usc.edu/papers/kneedle-simplex11.pdf), for a curve that stays flat and then drops
 * (concave, decreasing), as a weakest output's metric does under rising compression:
 *
 * <ol>
 *   <li>normalise x and y to [0, 1] (min-max);
 *   <li>take the difference curve d = y_n + x_n - 1: the height of the normalised curve above the
 *       straight line joining its ends (Kneedle's difference curve for a concave decreasing curve,
 *       whose x the paper flips to make it increasing);
 *   <li>the knee is the first local maximum of d after which d falls below the threshold
 *       T = d_max - S * mean(Δx) before another local maximum rises above it (S = {@link #SENSITIVITY}).
 * </ol>
 *
 * A curve that barely moves (its range is below {@code minDrop}) has no knee: nothing broke.
 */
public final class Knee {
  private Knee() {}

  /** Kneedle's sensitivity S (1 in the paper's offline setting). */
  public static final double SENSITIVITY = 1.0;

  /**
   * The index of the knee, or -1 when there is none.
   *
   * @param x increasing positions (compression levels)
   * @param y the metric at each (higher is better)
   * @param minDrop smallest fall from the first to the lowest point that counts as a bend at all
   */
  public static int find(double[] x, double[] y, double minDrop) {
    int n = x.length;
    if (n < 3 || y.length != n) {
      return -1;
    }
    double xmin = x[0], xmax = x[n - 1], ymin = Double.POSITIVE_INFINITY, ymax = Double.NEGATIVE_INFINITY;
    for (double v : y) {
      ymin = Math.min(ymin, v);
      ymax = Math.max(ymax, v);
    }
    if (!(xmax > xmin) || !(y[0] - ymin >= minDrop)) {
      return -1;
    }
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      double xn = (x[i] - xmin) / (xmax - xmin);
      double yn = (ymax - ymin) == 0 ? 1 : (y[i] - ymin) / (ymax - ymin);
      d[i] = yn + xn - 1;
    }
    double meanStep = 1.0 / (n - 1); // normalised x steps average 1 / (n - 1)
    for (int i = 1; i < n - 1; i++) {
      if (d[i] >= d[i - 1] && d[i] > d[i + 1]) { // a local maximum of the difference curve
        double threshold = d[i] - SENSITIVITY * meanStep;
        for (int j = i + 1; j < n; j++) {
          if (d[j] > d[i]) {
            break; // a higher maximum follows: keep looking
          }
          if (d[j] < threshold) {
            return i;
          }
        }
      }
    }
    // no interior maximum fell far enough: the largest height above the chord, if it is above it at all
    int best = -1;
    for (int i = 1; i < n - 1; i++) {
      if (d[i] > 0 && (best < 0 || d[i] > d[best])) {
        best = i;
      }
    }
    return best;
  }
}
