package dev.hwc.training;

/** Permutes the axes of a dense row-major float array (the data movement of a Transpose). */
public final class Permute {
  private Permute() {}

  /** The shape after permuting: out[j] = shape[perm[j]]. */
  public static long[] shape(long[] shape, int[] perm) {
    long[] out = new long[perm.length];
    for (int j = 0; j < perm.length; j++) {
      out[j] = shape[perm[j]];
    }
    return out;
  }

  public static int[] inverse(int[] perm) {
    int[] inv = new int[perm.length];
    for (int j = 0; j < perm.length; j++) {
      inv[perm[j]] = j;
    }
    return inv;
  }

  public static boolean isIdentity(int[] perm) {
    for (int j = 0; j < perm.length; j++) {
      if (perm[j] != j) {
        return false;
      }
    }
    return true;
  }

  /** Returns data laid out as {@code shape(shape, perm)}: out[i_0..i_r] = in[...] with out dim j = in dim perm[j]. */
  public static float[] apply(float[] data, long[] shape, int[] perm) {
    if (isIdentity(perm)) {
      return data.clone();
    }
    int r = shape.length;
    long[] inStrides = new long[r];
    long s = 1;
    for (int i = r - 1; i >= 0; i--) {
      inStrides[i] = s;
      s *= shape[i];
    }
    if (s != data.length) {
      throw new IllegalArgumentException("data has " + data.length + " elements, shape needs " + s);
    }
    long[] outShape = shape(shape, perm);
    long[] stride = new long[r];
    for (int j = 0; j < r; j++) {
      stride[j] = inStrides[perm[j]];
    }
    float[] out = new float[data.length];
    int[] idx = new int[r];
    long src = 0;
    for (int o = 0; o < out.length; o++) {
      out[o] = data[(int) src];
      for (int j = r - 1; j >= 0; j--) {
        idx[j]++;
        src += stride[j];
        if (idx[j] < outShape[j]) {
          break;
        }
        src -= stride[j] * idx[j];
        idx[j] = 0;
      }
    }
    return out;
  }
}
