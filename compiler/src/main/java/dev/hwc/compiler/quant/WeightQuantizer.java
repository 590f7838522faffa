package dev.hwc.compiler.quant;

import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Tensor;

/** Symmetric int8 weights, one scale per output channel, and int32 biases that match them. */
public final class WeightQuantizer {
  private WeightQuantizer() {}

  /** A quantized tensor with its params. */
  public record Quantized(Tensor values, QuantParams params) {
    /** The dequantized values, for error analysis. */
    public Tensor dequantized() {
      double[] q = values.toDoubles();
      long[] shape = values.shape();
      int axis = params.axis();
      long inner = 1;
      for (int d = axis + 1; d < shape.length; d++) {
        inner *= shape[d];
      }
      long channels = axis < 0 ? 1 : shape[axis];
      double[] out = new double[q.length];
      for (int i = 0; i < q.length; i++) {
        int c = axis < 0 ? 0 : (int) ((i / inner) % channels);
        out[i] = (q[i] - params.zeroPoint()[c]) * (double) params.scale()[c];
      }
      return Tensor.fromDoubles(DType.FLOAT, shape, out);
    }
  }

  /** Symmetric int8 in [-qmax, qmax] per slice along {@code axis} (per tensor when axis is -1). */
  public static Quantized perChannel(Tensor w, int axis, int qmax) {
    long[] shape = w.shape();
    double[] v = w.toDoubles();
    long inner = 1;
    for (int d = axis + 1; d < shape.length; d++) {
      inner *= shape[d];
    }
    int channels = axis < 0 ? 1 : (int) shape[axis];
    double[] absMax = new double[channels];
    for (int i = 0; i < v.length; i++) {
      int c = axis < 0 ? 0 : (int) ((i / inner) % channels);
      absMax[c] = Math.max(absMax[c], Math.abs(v[i]));
    }
    float[] scale = new float[channels];
    for (int c = 0; c < channels; c++) {
      // a channel too small for a usable scale (all subnormal) quantizes to zeros, as an all-zero one
      scale[c] = absMax[c] == 0 || !QuantParams.usableScale(absMax[c] / qmax) ? 1f : (float) (absMax[c] / qmax);
    }
    double[] q = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      int c = axis < 0 ? 0 : (int) ((i / inner) % channels);
      q[i] = Math.max(-qmax, Math.min(qmax, Math.rint(v[i] / scale[c])));
    }
    return new Quantized(Tensor.fromDoubles(DType.INT8, shape, q),
        new QuantParams(DType.INT8, scale, new long[channels], axis < 0 ? -1 : axis));
  }

  /** An int32 bias with scale = input scale x weight scale per channel, zero point 0. */
  public static Quantized bias(Tensor b, float inputScale, QuantParams weight) {
    double[] v = b.toDoubles();
    float[] scale = new float[v.length];
    double[] q = new double[v.length];
    for (int c = 0; c < v.length; c++) {
      float ws = weight.scale()[weight.scale().length == 1 ? 0 : c];
      scale[c] = inputScale * ws;
      q[c] = Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Math.rint(v[c] / scale[c])));
    }
    return new Quantized(Tensor.fromDoubles(DType.INT32, b.shape(), q),
        new QuantParams(DType.INT32, scale, new long[v.length], v.length == 1 ? -1 : 0));
  }
}
