package dev.hwc.compiler.quant;

import dev.hwc.compiler.ir.DType;
import java.util.Arrays;

/**
 * How one tensor is quantized: real = (q - zeroPoint) * scale, with q stored as {@code dtype} in
 * [qmin, qmax]. Per-tensor when {@code axis} is -1 (one scale and zero point), else one per slice
 * along {@code axis}.
 */
public record QuantParams(DType dtype, float[] scale, long[] zeroPoint, int axis) {
  public QuantParams {
    if (scale.length == 0 || scale.length != zeroPoint.length) {
      throw new IllegalArgumentException("scale and zero point counts differ or are empty");
    }
    if (axis < 0 && scale.length != 1) {
      throw new IllegalArgumentException("per-tensor params need exactly one scale");
    }
    for (float s : scale) {
      if (!(s > 0) || Float.isInfinite(s)) {
        throw new IllegalArgumentException("scale must be positive and finite, got " + s);
      }
    }
    scale = scale.clone();
    zeroPoint = zeroPoint.clone();
  }

  public static QuantParams perTensor(DType dtype, float scale, long zeroPoint) {
    return new QuantParams(dtype, new float[] {scale}, new long[] {zeroPoint}, -1);
  }

  public boolean perChannel() {
    return axis >= 0;
  }

  public boolean symmetric() {
    return Arrays.stream(zeroPoint).allMatch(z -> z == 0);
  }

  public long qmin() {
    return dtype == DType.UINT8 ? 0 : dtype == DType.INT8 ? -128 : dtype == DType.INT16 ? -32768 : Integer.MIN_VALUE;
  }

  public long qmax() {
    return dtype == DType.UINT8 ? 255 : dtype == DType.INT8 ? 127 : dtype == DType.INT16 ? 32767 : Integer.MAX_VALUE;
  }

  /**
   * The smallest scale hwc writes: float32's smallest normal (2^-126, numpy's {@code
   * finfo(float32).tiny}). A range so narrow that its scale would be smaller (values that are all
   * subnormal, say 1e-40) is treated as the empty range [0, 0] (scale 1, every value quantizes to
   * zero, which is within 1e-38 of what it was), as ONNX Runtime's own quantization tool does;
   * a smaller scale would round to 0 or make 1/scale infinite.
   */
  public static final float MIN_SCALE = Float.MIN_NORMAL;

  /** Whether a computed scale can be written: finite and at least {@link #MIN_SCALE}. */
  public static boolean usableScale(double scale) {
    return scale >= MIN_SCALE && scale <= Float.MAX_VALUE;
  }

  /**
   * Params that represent [lo, hi] (widened to include 0, so zero is exact) in {@code dtype}:
   * asymmetric uses the full [qmin, qmax]; symmetric centres on 0 (zero point 0, or 128 for uint8)
   * and uses [-qmax, qmax] for int8 so that -127..127 is symmetric. A range narrower than {@link
   * #MIN_SCALE} allows is taken as [0, 0].
   *
   * @throws IllegalArgumentException for a NaN or infinite end (calibration refuses those first)
   */
  public static QuantParams forRange(DType dtype, double lo, double hi, boolean symmetric) {
    if (!(Math.abs(lo) <= Double.MAX_VALUE) || !(Math.abs(hi) <= Double.MAX_VALUE)) {
      throw new IllegalArgumentException("range [" + lo + ", " + hi + "] is not finite");
    }
    QuantParams p = fit(dtype, Math.min(lo, 0), Math.max(hi, 0), symmetric);
    return p != null ? p : fit(dtype, 0, 0, symmetric);
  }

  /** The params for [lo, hi] (lo <= 0 <= hi), or null when their scale would be below {@link #MIN_SCALE}. */
  private static QuantParams fit(DType dtype, double lo, double hi, boolean symmetric) {
    QuantParams unit = perTensor(dtype, 1, 0);
    long qmin = unit.qmin();
    long qmax = unit.qmax();
    if (symmetric) {
      double m = Math.max(Math.abs(lo), Math.abs(hi));
      if (dtype == DType.UINT8) {
        double scale = m == 0 ? 1 : 2 * m / 255.0;
        return usableScale(scale) ? perTensor(dtype, (float) scale, 128) : null;
      }
      double scale = m == 0 ? 1 : m / qmax;
      return usableScale(scale) ? perTensor(dtype, (float) scale, 0) : null;
    }
    double scale = hi == lo ? 1 : (hi - lo) / (qmax - qmin);
    if (!usableScale(scale)) {
      return null;
    }
    long zp = Math.round(qmin - lo / scale);
    zp = Math.max(qmin, Math.min(qmax, zp));
    return perTensor(dtype, (float) scale, zp);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QuantParams q && q.dtype == dtype && q.axis == axis
        && Arrays.equals(q.scale, scale) && Arrays.equals(q.zeroPoint, zeroPoint);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * dtype.hashCode() + Arrays.hashCode(scale)) + Arrays.hashCode(zeroPoint) + axis;
  }

  @Override
  public String toString() {
    return dtype.shortName() + (axis < 0 ? "(scale " + scale[0] + ", zp " + zeroPoint[0] + ")"
        : "(per-channel axis " + axis + ", " + scale.length + " scales)");
  }
}
