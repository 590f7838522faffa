package dev.hwc.hwtests.welllog;

/**
 * One synthetic scanned well-log strip and its labels.
 *
 * @param width pixels across (the track)
 * @param height pixels down (depth)
 * @param image grayscale, row-major [height][width], 0 black ink .. 1 white paper
 * @param labels the class of each pixel, row-major: {@link #BACKGROUND}, {@link #CURVE1}, {@link #CURVE2}
 * @param curveX for each curve (index 0: curve 1, 1: curve 2) the x position of its centre line in
 *     each row, in pixels (pixel i spans [i, i+1)); NaN throughout when the strip lacks that curve
 */
public record WellLogStrip(int width, int height, float[] image, byte[] labels, float[][] curveX) {
  public static final int BACKGROUND = 0;
  public static final int CURVE1 = 1;
  public static final int CURVE2 = 2;
  /** Mask channels: background, curve 1, curve 2. */
  public static final int CLASSES = 3;
  public static final String[] CLASS_NAMES = {"background", "curve1", "curve2"};

  public boolean hasCurve(int k) {
    return !Float.isNaN(curveX[k][0]);
  }

  public int label(int x, int y) {
    return labels[y * width + x];
  }

  public float pixel(int x, int y) {
    return image[y * width + x];
  }
}
