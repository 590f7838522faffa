package dev.hwc.compiler.data;

import dev.hwc.compiler.ir.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * NaN and infinite values in samples: counted so that a build says how many it was given (a warning
 * where they only make the check's figures meaningless, a refusal where they would set int8 ranges).
 */
public final class NonFinite {
  private NonFinite() {}

  /** NaN and infinite elements of a float tensor; 0 for other types. */
  public static long count(Tensor t) {
    if (!t.dtype().isFloat()) {
      return 0;
    }
    long bad = 0;
    for (float f : t.toFloats()) {
      if (!(Math.abs(f) <= Float.MAX_VALUE)) {
        bad++;
      }
    }
    return bad;
  }

  /** NaN elements of a float tensor; 0 for other types. */
  public static long countNaN(Tensor t) {
    if (!t.dtype().isFloat()) {
      return 0;
    }
    long bad = 0;
    for (float f : t.toFloats()) {
      if (Float.isNaN(f)) {
        bad++;
      }
    }
    return bad;
  }

  /**
   * One line when some samples hold NaN or infinite values: how many values, in how many samples,
   * per input, and the first sample that has one; empty when every value is finite.
   *
   * @param what the set, for the message ("the eval samples in eval/")
   */
  public static Optional<String> warning(SampleSet s, String what) {
    Map<String, Long> perInput = new LinkedHashMap<>();
    int samples = 0;
    String first = null;
    for (int i = 0; i < s.size(); i++) {
      boolean any = false;
      for (Map.Entry<String, Tensor> e : s.get(i).entrySet()) {
        long n = count(e.getValue());
        if (n > 0) {
          perInput.merge(e.getKey(), n, Long::sum);
          any = true;
        }
      }
      if (any) {
        samples++;
        first = first == null ? s.label(i) : first;
      }
    }
    if (samples == 0) {
      return Optional.empty();
    }
    StringBuilder b = new StringBuilder();
    perInput.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(v).append(" in input '").append(k).append("'"));
    return Optional.of("WARNING: " + samples + " of " + s.size() + " samples of " + what + " hold NaN/Inf values (" + b
        + "; first in " + first + ")");
  }
}
