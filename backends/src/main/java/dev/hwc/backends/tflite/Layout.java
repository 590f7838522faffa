package dev.hwc.backends.tflite;

/**
 * How a lowered TFLite tensor is laid out relative to the IR value it stands for. The IR keeps
 * ONNX's NCHW; TFLite's convolution, pooling and resize kernels (and the Edge TPU) take channels
 * last, so the lowering keeps every rank-4 activation that a layout-sensitive op touches in NHWC and
 * rewrites axis-carrying ops for it, instead of wrapping each op in Transposes.
 */
enum Layout {
  /** The IR's own layout: same shape, same element order. */
  IR,
  /** A rank-4 IR value [N, C, H, W] held as [N, H, W, C]. */
  NHWC;

  /** TFLite dim j of an NHWC tensor holds IR dim TO_NHWC[j]. */
  static final int[] TO_NHWC = {0, 2, 3, 1};
  /** IR dim a of an NHWC tensor is TFLite dim TO_IR[a]. */
  static final int[] TO_IR = {0, 3, 1, 2};

  /** Where IR axis {@code axis} (non-negative) lives in the TFLite tensor. */
  int axis(int axis) {
    return this == IR ? axis : TO_IR[axis];
  }

  /** The TFLite shape of an IR shape in this layout. */
  int[] shape(long[] ir) {
    int[] out = new int[ir.length];
    for (int j = 0; j < ir.length; j++) {
      out[j] = Math.toIntExact(this == IR ? ir[j] : ir[TO_NHWC[j]]);
    }
    return out;
  }

  /**
   * Permutes a row-major array of {@code elem}-byte elements: output dim j is input dim perm[j].
   * Used for weights (OIHW to OHWI and friends) and for constants meeting NHWC tensors.
   */
  static byte[] permute(byte[] data, long[] shape, int[] perm, int elem) {
    int rank = shape.length;
    long[] outShape = new long[rank];
    for (int j = 0; j < rank; j++) {
      outShape[j] = shape[perm[j]];
    }
    long[] inStride = new long[rank];
    long s = 1;
    for (int d = rank - 1; d >= 0; d--) {
      inStride[d] = s;
      s *= shape[d];
    }
    byte[] out = new byte[data.length];
    int[] idx = new int[rank];
    long n = s;
    for (long o = 0; o < n; o++) {
      long src = 0;
      for (int j = 0; j < rank; j++) {
        src += idx[j] * inStride[perm[j]];
      }
      System.arraycopy(data, (int) (src * elem), out, (int) (o * elem), elem);
      for (int j = rank - 1; j >= 0; j--) {
        if (++idx[j] < outShape[j]) {
          break;
        }
        idx[j] = 0;
      }
    }
    return out;
  }

  static long[] permuted(long[] shape, int[] perm) {
    long[] out = new long[shape.length];
    for (int j = 0; j < perm.length; j++) {
      out[j] = shape[perm[j]];
    }
    return out;
  }
}
