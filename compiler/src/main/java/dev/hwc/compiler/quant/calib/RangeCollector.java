package dev.hwc.compiler.quant.calib;

import dev.hwc.compiler.ir.Tensor;

/**
 * Watches the values one tensor takes, chunk by chunk (a sample at a time), and chooses the range
 * [lo, hi] its quantization should cover. Memory is bounded by the collector's histogram, never by
 * the number of values seen; the result does not depend on how the values were chunked. NaN and
 * infinite values are counted in {@link #nonFinite()} and otherwise ignored. Not thread-safe.
 */
public interface RangeCollector {
  /** The chosen clipping range; {@code lo <= hi}, both within the observed [min, max]. */
  record Range(float lo, float hi) {
    public Range {
      if (!(lo <= hi)) {
        throw new IllegalArgumentException("range [" + lo + ", " + hi + "] is empty");
      }
    }

    /** max(|lo|, |hi|): the symmetric range a zero-point-0 quantizer needs. */
    public float absMax() {
      return Math.max(Math.abs(lo), Math.abs(hi));
    }
  }

  void add(float[] values, int offset, int length);

  default void add(float[] values) {
    add(values, 0, values.length);
  }

  /** Adds every element of a floating-point tensor. */
  default void add(Tensor t) {
    if (!t.dtype().isFloat()) {
      throw new IllegalArgumentException("calibration observes float tensors, got " + t);
    }
    add(t.toFloats());
  }

  /** Finite values seen. */
  long count();

  /** NaN and infinite values seen (ignored). */
  long nonFinite();

  /** Smallest finite value seen, 0 before any. */
  float min();

  /** Largest finite value seen, 0 before any. */
  float max();

  /** The range chosen from everything seen so far; [0, 0] before any value. */
  Range range();

  Calibration calibration();
}
