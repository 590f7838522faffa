package dev.hwc.hwtests;

import dev.hwc.compiler.data.RandomInputs;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import java.util.List;
import java.util.Map;

/**
 * Seeded sample inputs of the right shape and type, never zeros: floats from a standard normal,
 * integers (token ids, indices) uniform in [1, 32), booleans random. Symbolic dims take the size
 * given for that input, else 1 for the leading (batch) dim and {@link #DEFAULT_SYMBOLIC} elsewhere.
 * The generator lives in the compiler ({@link RandomInputs}) so that calibration's
 * {@code SampleSet.random} draws exactly the same samples.
 */
public final class SampleInputs {
  /** Size given to a non-leading symbolic dim (a sequence length, an image side) when none is fixed. */
  public static final long DEFAULT_SYMBOLIC = RandomInputs.DEFAULT_SYMBOLIC;

  private SampleInputs() {}

  /** Concrete sizes for an input: its static dims, symbols resolved as described above. */
  public static long[] concreteShape(Value input) {
    return RandomInputs.concreteShape(input);
  }

  public static Map<String, Tensor> random(List<Value> inputs, long seed) {
    return RandomInputs.random(inputs, seed);
  }
}
