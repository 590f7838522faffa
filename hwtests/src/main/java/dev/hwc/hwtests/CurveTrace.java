package dev.hwc.hwtests;

import dev.hwc.compiler.ir.Tensor;
import java.util.ArrayDeque;

/**
 * Reading curves out of class maps: the argmax of a mask output, a curve's x position per row as a
 * digitizer would read it, and how many pieces a mask falls into.
 */
public final class CurveTrace {
  private CurveTrace() {}

  /** The argmax over channels of sample n of an [N, C, H, W] output, as a row-major [H * W] class map. */
  public static byte[] argmax(Tensor scores, int n) {
    long[] s = scores.shape();
    if (s.length != 4) {
      throw new IllegalArgumentException("expected [N, C, H, W] scores, got " + java.util.Arrays.toString(s));
    }
    int c = (int) s[1];
    int hw = (int) (s[2] * s[3]);
    float[] v = scores.toFloats();
    byte[] out = new byte[hw];
    int base = n * c * hw;
    for (int i = 0; i < hw; i++) {
      int best = 0;
      float bv = v[base + i];
      for (int k = 1; k < c; k++) {
        float x = v[base + k * hw + i];
        if (x > bv) {
          bv = x;
          best = k;
        }
      }
      out[i] = (byte) best;
    }
    return out;
  }

  /**
   * The curve of class {@code cls} as an x position per row: in each row, the centre of the run of
   * that class nearest to the previous row's position (the longest run in the first row that has
   * one); rows without the class are filled by linear interpolation between the rows around them, and
   * held at the nearest found value before the first and after the last. All NaN when no row has
   * the class. Distances and interpolation go the short way around the track, as a log curve that
   * leaves one edge re-enters at the other: a gap from x = 2 to x = 61 on a 64 px track is bridged
   * through the edge, not across the middle.
   */
  public static float[] extract(byte[] classes, int width, int height, int cls) {
    float[] x = new float[height];
    java.util.Arrays.fill(x, Float.NaN);
    float prev = Float.NaN;
    for (int y = 0; y < height; y++) {
      float best = Float.NaN;
      double bestScore = Double.POSITIVE_INFINITY;
      int row = y * width;
      for (int i = 0; i < width; ) {
        if (classes[row + i] != cls) {
          i++;
          continue;
        }
        int j = i;
        while (j < width && classes[row + j] == cls) {
          j++;
        }
        float centre = (i + j) / 2f;
        double score = Float.isNaN(prev) ? -(j - i) : Math.abs(around(centre - prev, width));
        if (score < bestScore) {
          bestScore = score;
          best = centre;
        }
        i = j;
      }
      if (!Float.isNaN(best)) {
        x[y] = best;
        prev = best;
      }
    }
    fillGaps(x, width);
    return x;
  }

  /** d taken around a track of the given width, into [-width/2, width/2). */
  static double around(double d, int width) {
    return d - width * Math.floor(d / width + 0.5);
  }

  private static void fillGaps(float[] x, int width) {
    int last = -1;
    for (int y = 0; y < x.length; y++) {
      if (Float.isNaN(x[y])) {
        continue;
      }
      if (last < 0) {
        for (int k = 0; k < y; k++) {
          x[k] = x[y];
        }
      } else {
        double d = around(x[y] - x[last], width);
        for (int k = last + 1; k < y; k++) {
          double v = x[last] + d * (k - last) / (y - last);
          x[k] = (float) (v - width * Math.floor(v / width));
        }
      }
      last = y;
    }
    if (last >= 0) {
      for (int k = last + 1; k < x.length; k++) {
        x[k] = x[last];
      }
    }
  }

  /** How many 8-connected pieces the pixels of class {@code cls} form. */
  public static int components(byte[] classes, int width, int height, int cls) {
    boolean[] seen = new boolean[classes.length];
    ArrayDeque<Integer> stack = new ArrayDeque<>();
    int count = 0;
    for (int start = 0; start < classes.length; start++) {
      if (classes[start] != cls || seen[start]) {
        continue;
      }
      count++;
      seen[start] = true;
      stack.push(start);
      while (!stack.isEmpty()) {
        int p = stack.pop();
        int px = p % width;
        int py = p / width;
        for (int dy = -1; dy <= 1; dy++) {
          for (int dx = -1; dx <= 1; dx++) {
            int qx = px + dx;
            int qy = py + dy;
            if (qx < 0 || qy < 0 || qx >= width || qy >= height) {
              continue;
            }
            int q = qy * width + qx;
            if (!seen[q] && classes[q] == cls) {
              seen[q] = true;
              stack.push(q);
            }
          }
        }
      }
    }
    return count;
  }
}
