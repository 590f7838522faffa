package dev.hwc.compiler.data;

import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.common.BadInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded sample inputs of the right shape and type, never zeros: floats from a standard normal,
 * integers (token ids, indices) uniform in [1, 32), booleans random. Given the {@link InputBounds} of
 * the graph, an input that indexes a table smaller than 32 rows is drawn uniform in [0, rows), a mask
 * in {0, 1}, and an input whose bound hwc cannot know is refused (a one-line message asking for real
 * samples) instead of being handed to the runtime out of range. Symbolic dims take 1 for the
 * leading (batch) dim and {@link #DEFAULT_SYMBOLIC} elsewhere (fix them first with
 * {@code ShapeInference.bindInputs} to get other sizes). The one generator behind
 * {@link SampleSet#random} and hwtests' {@code SampleInputs}.
 */
public final class RandomInputs {
  /** Size given to a non-leading symbolic dim (a sequence length, an image side). */
  public static final long DEFAULT_SYMBOLIC = 16;

  private RandomInputs() {}

  /** Concrete sizes for an input: its static dims, symbols resolved as described above. */
  public static long[] concreteShape(Value input) {
    Shape s = input.shape();
    if (!s.hasRank()) {
      throw new BadInputException("input '" + input.name() + "' has unknown rank; fix it with --shape "
          + input.name() + "=AxBx...");
    }
    long[] out = new long[s.rank()];
    for (int i = 0; i < out.length; i++) {
      Dim d = s.dim(i);
      out[i] = d.isStatic() ? d.size() : i == 0 ? 1 : DEFAULT_SYMBOLIC;
    }
    return out;
  }

  /** One sample for every input, drawn in input order from {@code new Random(seed)}. */
  public static Map<String, Tensor> random(List<Value> inputs, long seed) {
    return random(inputs, Map.of(), seed);
  }

  /**
   * One sample for every input, drawn in input order from {@code new Random(seed)}, each input within
   * its bound when {@code bounds} has one (see the class comment).
   *
   * @throws BadInputException for an input whose bound is unknown
   */
  public static Map<String, Tensor> random(List<Value> inputs, Map<String, InputBounds.Bound> bounds, long seed) {
    checkKnown(inputs, bounds);
    Random r = new Random(seed);
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Value v : inputs) {
      long[] shape = concreteShape(v);
      if (!v.dtype().isFloat() && !v.dtype().isInteger() && v.dtype() != DType.BOOL) {
        throw new BadInputException("input '" + v.name() + "' has type " + v.dtype() + ", which hwc cannot sample");
      }
      InputBounds.Bound b = bounds.get(v.name());
      int n = (int) Shape.of(shape).numElements();
      double[] data = new double[n];
      for (int i = 0; i < n; i++) {
        if (b != null && b.isMask()) {
          data[i] = r.nextInt(2);
        } else if (b != null && v.dtype().isInteger() && b.hi() - b.lo() < 32) {
          data[i] = b.lo() + r.nextInt((int) Math.max(1, b.hi() - b.lo()));
        } else {
          data[i] = v.dtype().isFloat() ? r.nextGaussian()
              : v.dtype() == DType.BOOL ? r.nextInt(2) : 1 + r.nextInt(31);
        }
      }
      out.put(v.name(), Tensor.fromDoubles(v.dtype(), shape, data));
    }
    return out;
  }

  /** Refuses, in one line, inputs whose values hwc cannot bound. */
  public static void checkKnown(List<Value> inputs, Map<String, InputBounds.Bound> bounds) {
    for (Value v : inputs) {
      InputBounds.Bound b = bounds.get(v.name());
      if (b != null && b.unknown()) {
        throw new BadInputException("input '" + v.name() + "' feeds " + b.why() + ": hwc cannot tell which values are "
            + "legal, so it cannot make random samples; pass --eval DIR (and --calib DIR for int8) with real samples");
      }
    }
  }
}
