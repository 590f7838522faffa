package dev.hwc.compiler.quant;

import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Value;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which activations a float16 build must keep in float32, judged from the largest magnitude each
 * took when the float32 graph ran on sample inputs (calibration), not from op names: float16's
 * largest finite value is 65504 and its smallest normal 2^-14 (IEEE 754 binary16), so
 *
 * <ul>
 *   <li>a value whose observed max |x| is above {@link #OVERFLOW_LIMIT} (65504 / {@link #HEADROOM})
 *       overflows, or comes close enough that unseen inputs would: attention scores {@code Q·Kᵀ} of a
 *       model that does not scale them, a sum of squares, a large reduction;
 *   <li>a value that is not all zeros but whose max |x| is below the smallest normal
 *       ({@link #SMALLEST_NORMAL}) would be held only as subnormals or flushed to zero.
 * </ul>
 *
 * The node producing such a value runs in fp32 ({@link ConvertToFp16} takes the names as {@code
 * keepValues}); what reads it then gets fp32, with a Cast to fp16 where it goes back to fp16 work.
 * The analysis is this class alone, separate from the profile's op list, so either can change
 * without the other.
 */
public final class Fp16Ranges {
  private Fp16Ranges() {}

  /** The largest finite float16 value. */
  public static final double FP16_MAX = 65504;

  /** Margin between the largest magnitude seen on samples and fp16's limit (inputs not seen can be larger). */
  public static final double HEADROOM = 4;

  /** Observed max |x| above this keeps the value in fp32. */
  public static final double OVERFLOW_LIMIT = FP16_MAX / HEADROOM;

  /** float16's smallest normal, 2^-14: a value never larger than this (and not all zero) keeps fp32. */
  public static final double SMALLEST_NORMAL = 0x1p-14;

  /** One value kept in fp32 and why. */
  public record Kept(String value, String op, double absMax, String why) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%s (%s, max |x| %.4g: %s)", value, op, absMax, why);
    }
  }

  /**
   * The float activations of {@code g} to keep in fp32, in graph order.
   *
   * @param absMax per value name, the largest finite |x| observed on the samples (values missing
   *     from the map are not judged)
   */
  public static List<Kept> keepInFp32(Graph g, Map<String, Double> absMax) {
    List<Kept> out = new ArrayList<>();
    for (Node n : g.nodes()) {
      for (String o : n.outputs()) {
        Double m = o.isEmpty() ? null : absMax.get(o);
        Value t = o.isEmpty() ? null : g.type(o);
        if (m == null || t == null || t.dtype() != DType.FLOAT) {
          continue;
        }
        String why = judge(m);
        if (why != null) {
          out.add(new Kept(o, n.op(), m, why));
        }
      }
    }
    return out;
  }

  /** Why a value with this max |x| cannot be fp16, or null when it can. */
  public static String judge(double absMax) {
    if (absMax > OVERFLOW_LIMIT) {
      return absMax > FP16_MAX ? "overflows fp16 (max 65504)" : "within " + (int) HEADROOM + "x of fp16's max 65504";
    }
    if (absMax > 0 && absMax < SMALLEST_NORMAL) {
      return "below fp16's smallest normal 2^-14";
    }
    return null;
  }

  /** The names, for {@link ConvertToFp16}'s {@code keepValues}. */
  public static Set<String> names(List<Kept> kept) {
    Set<String> s = new LinkedHashSet<>();
    kept.forEach(k -> s.add(k.value()));
    return s;
  }
}
