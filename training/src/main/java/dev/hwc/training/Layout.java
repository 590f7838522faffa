package dev.hwc.training;

/**
 * How a lowered value's TensorFlow tensor is laid out relative to the IR value it stands for.
 * TensorFlow's CPU kernels for convolution and pooling want channels last, the IR is ONNX's NCHW.
 */
public enum Layout {
  /** The IR's own layout: same shape, same element order. */
  IR,
  /** A rank-4 IR value [N, C, H, W] held as [N, H, W, C]. */
  NHWC;

  /** TensorFlow dim j of an NHWC value holds IR dim TO_NHWC[j]. */
  static final int[] TO_NHWC = {0, 2, 3, 1};
  /** IR dim j of an NHWC value is TensorFlow dim TO_IR[j]. */
  static final int[] TO_IR = {0, 3, 1, 2};

  /** Where IR axis {@code axis} (already non-negative) lives in this layout's TensorFlow tensor. */
  int tfAxis(int axis) {
    return this == IR ? axis : TO_IR[axis];
  }
}
