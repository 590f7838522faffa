package dev.hwc.compiler.quant.calib;

import java.util.Locale;

/**
 * How a clipping range is chosen from the values a tensor took on the calibration samples. The
 * flag names ({@code minmax}, {@code percentile}, {@code entropy}, {@code mse}) are what
 * {@code --calibration} takes; {@link Calibration#parse} reads the flag with its argument.
 */
public enum CalibrationMethod {
  /** The observed [min, max]: nothing clipped, so one outlier can waste the int8 grid. */
  MINMAX,
  /** Two-sided percentiles of the histogram: [P(100 − p), P(p)], default p = 99.99. */
  PERCENTILE,
  /** TensorRT-style: the |x| threshold minimizing KL(P || Q) with Q quantized to 128 levels. */
  ENTROPY,
  /** The |x| threshold minimizing the expected squared error of clipping plus 8-bit rounding. */
  MSE;

  /** The lower-case name used on the command line and in reports. */
  public String flag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
