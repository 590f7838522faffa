package dev.hwc.backends.tflite;

/**
 * How a lowered TFLite tensor is laid out relative to the IR value it stands for. The IR keeps
 * ONNX's NCHW; TFLite's convolution, pooling and resize kernels (and the Edge TPU) take channels
 * last, so the lowering keeps every rank-4 activation that a layout-sensitive op touches in NHWC and
 * rewrites axis-carrying ops for it, instead of wrapping each op in Transposes. A rank-3 value
 * [N, C, L] that an NHWC tensor's reshape makes (the H*W positions as L tokens of an attention
 * block) stays channels last too, as [N, L, C]: NHWC [N, H, W, C] and [N, H*W, C] have the same
 * element order, so that reshape, and the one back, move no data.
 */
enum Layout {
  /** The IR's own layout: same shape, same element order. */
  IR,
  /** A rank-4 IR value [N, C, H, W] held as [N, H, W, C]. */
  NHWC,
  /** A rank-3 IR value [N, C, L] held as [N, L, C]. */
  NLC;

  /** TFLite dim j of an NHWC tensor holds IR dim TO_NHWC[j]. */
  static final int[] TO_NHWC = {0, 2, 3, 1};
  /** IR dim a of an NHWC tensor is TFLite dim TO_IR[a]. */
  static final int[] TO_IR = {0, 3, 1, 2};
  /** The last two dims swapped: NLC to IR and back. */
  static final int[] SWAP_LAST = {0, 2, 1};

  /** The rank of the values this layout holds; -1 for IR (any rank). */
  int rank() {
    return switch (this) {
      case IR -> -1;
      case NHWC -> 4;
      case NLC -> 3;
    };
  }

  /** The channels-last layout of a rank (NHWC for 4, NLC for 3), IR for any other rank. */
  static Layout channelsLast(int rank) {
    return rank == 4 ? NHWC : rank == 3 ? NLC : IR;
  }

  /** TFLite dim j holds IR dim toTflite()[j]; null for IR. */
  int[] toTflite() {
    return switch (this) {
      case IR -> null;
      case NHWC -> TO_NHWC;
      case NLC -> SWAP_LAST;
    };
  }

  /** IR dim a is TFLite dim toIr()[a]; null for IR. */
  int[] toIr() {
    return switch (this) {
      case IR -> null;
      case NHWC -> TO_IR;
      case NLC -> SWAP_LAST;
    };
  }

  /** Where IR axis {@code axis} (non-negative) lives in the TFLite tensor. */
  int axis(int axis) {
    return this == IR ? axis : toIr()[axis];
  }

  /** The TFLite shape of an IR shape in this layout. */
  int[] shape(long[] ir) {
    if (this != IR && ir.length != rank()) {
      throw new IllegalStateException("a rank-" + ir.length + " shape in layout " + this);
    }
    int[] out = new int[ir.length];
    for (int j = 0; j < ir.length; j++) {
      out[j] = Math.toIntExact(this == IR ? ir[j] : ir[toTflite()[j]]);
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
