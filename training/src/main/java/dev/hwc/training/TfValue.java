package dev.hwc.training;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** A lowered IR value: its TensorFlow operand and the layout that operand is in. */
public record TfValue(Operand<TFloat32> op, Layout layout) {
  public static TfValue ir(Operand<TFloat32> op) {
    return new TfValue(op, Layout.IR);
  }

  public static TfValue nhwc(Operand<TFloat32> op) {
    return new TfValue(op, Layout.NHWC);
  }
}
