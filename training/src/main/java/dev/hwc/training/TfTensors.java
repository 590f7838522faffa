package dev.hwc.training;

import dev.hwc.compiler.ir.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** Copies between Java float arrays / IR tensors and TensorFlow float tensors. */
public final class TfTensors {
  private TfTensors() {}

  public static TFloat32 of(float[] data, long... shape) {
    return TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(data, true, false));
  }

  public static TFloat32 of(Tensor t) {
    return of(t.toFloats(), t.shape());
  }

  public static float[] floats(org.tensorflow.Tensor t) {
    TFloat32 f = (TFloat32) t;
    float[] out = new float[Math.toIntExact(f.shape().size())];
    f.copyTo(DataBuffers.of(out, false, false));
    return out;
  }

  public static Tensor toIr(org.tensorflow.Tensor t) {
    return Tensor.ofFloats(t.shape().asArray(), floats(t));
  }
}
