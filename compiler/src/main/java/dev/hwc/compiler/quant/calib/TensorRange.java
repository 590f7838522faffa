package dev.hwc.compiler.quant.calib;

import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.quant.QuantParams;
import java.util.Arrays;

/**
 * What calibration learned about one tensor.
 *
 * @param name the value's name in the graph
 * @param min smallest finite value observed
 * @param max largest finite value observed
 * @param lo the chosen lower end of the quantization range (≥ min)
 * @param hi the chosen upper end (≤ max)
 * @param calibration how [lo, hi] was chosen
 * @param samples samples the tensor was observed on
 * @param values finite elements observed in all
 * @param nonFinite NaN and infinite elements observed (ignored by the range)
 * @param channelMean E[x] per channel along the requested axis, or null when not requested
 */
public record TensorRange(
    String name,
    float min,
    float max,
    float lo,
    float hi,
    Calibration calibration,
    int samples,
    long values,
    long nonFinite,
    float[] channelMean) {
  public TensorRange {
    channelMean = channelMean == null ? null : channelMean.clone();
  }

  /** The result of a collector that saw {@code samples} samples. */
  public static TensorRange of(String name, RangeCollector c, int samples, float[] channelMean) {
    RangeCollector.Range r = c.range();
    return new TensorRange(name, c.min(), c.max(), r.lo(), r.hi(), c.calibration(), samples, c.count(),
        c.nonFinite(), channelMean);
  }

  /** max(|lo|, |hi|): the range a symmetric (zero point 0) quantizer covers. */
  public float absMax() {
    return Math.max(Math.abs(lo), Math.abs(hi));
  }

  /** True when [lo, hi] clips values that were observed. */
  public boolean clips() {
    return lo > min || hi < max;
  }

  /** Per-tensor params covering [lo, hi] in {@code dtype}; see {@link QuantParams#forRange}. */
  public QuantParams params(DType dtype, boolean symmetric) {
    return QuantParams.forRange(dtype, lo, hi, symmetric);
  }

  @Override
  public float[] channelMean() {
    return channelMean == null ? null : channelMean.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorRange t && t.name.equals(name) && Float.compare(t.min, min) == 0
        && Float.compare(t.max, max) == 0 && Float.compare(t.lo, lo) == 0 && Float.compare(t.hi, hi) == 0
        && t.calibration.equals(calibration) && t.samples == samples && t.values == values
        && t.nonFinite == nonFinite && Arrays.equals(t.channelMean, channelMean);
  }

  @Override
  public int hashCode() {
    return 31 * java.util.Objects.hash(name, min, max, lo, hi, calibration, samples, values, nonFinite)
        + Arrays.hashCode(channelMean);
  }

  @Override
  public String toString() {
    return name + ": observed [" + min + ", " + max + "], " + calibration + " [" + lo + ", " + hi + "] over "
        + samples + " samples" + (nonFinite > 0 ? ", " + nonFinite + " non-finite values ignored" : "");
  }
}
