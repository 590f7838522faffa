package dev.hwc.hwtests;

/**
 * R² of a recovered curve against a true one, pooled over every row of every strip added:
 * 1 - sum (estimate - truth)² / sum (truth - mean truth)². Residuals are taken around the track
 * (modulo its width, into [-w/2, w/2)) because a curve that wraps past one edge of the track
 * re-enters at the other: a point drawn at the very edge is the same reading on either side.
 * A strip in which the curve was not found at all counts as estimated at the track's middle.
 */
public final class CurveR2 {
  private double sumSq;
  private double sum;
  private double sumResSq;
  private long n;

  /** Adds one strip: the estimate (NaN throughout when not found) and the truth, both one x per row. */
  public void add(float[] estimate, float[] truth, int width) {
    boolean found = !Float.isNaN(estimate[0]);
    for (int y = 0; y < truth.length; y++) {
      if (Float.isNaN(truth[y])) {
        continue;
      }
      double e = found ? estimate[y] : width / 2.0;
      double d = e - truth[y];
      d = CurveTrace.around(d, width);
      sumResSq += d * d;
      sum += truth[y];
      sumSq += (double) truth[y] * truth[y];
      n++;
    }
  }

  public long rows() {
    return n;
  }

  /** R², or NaN when nothing was added. */
  public double r2() {
    if (n == 0) {
      return Double.NaN;
    }
    double ssTot = sumSq - sum * sum / n;
    return ssTot <= 0 ? (sumResSq == 0 ? 1 : Double.NEGATIVE_INFINITY) : 1 - sumResSq / ssTot;
  }

  /** Root mean square residual in pixels. */
  public double rmse() {
    return n == 0 ? Double.NaN : Math.sqrt(sumResSq / n);
  }
}
