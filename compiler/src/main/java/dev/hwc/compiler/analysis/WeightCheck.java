package dev.hwc.compiler.analysis;

import dev.hwc.common.BadInputException;
import dev.hwc.common.SafeFiles;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Weights that are NaN or infinite. A quantizer cannot give such a tensor a scale (its range is not finite),
 * so a target that quantizes refuses the model before any work, naming the initializer; a float target
 * can still run it, but its outputs will hold NaN/Inf, which the build says as a warning.
 */
public final class WeightCheck {
  private WeightCheck() {}

  /** One initializer with non-finite values: how many of how many, and the first one's index. */
  public record NonFinite(String initializer, long count, long total, long firstIndex, double firstValue) {
    /** "initializer 'w' has 3 NaN/Inf values of 64 (the first, NaN, at index 5)". */
    public String describe() {
      return "initializer '" + SafeFiles.printable(initializer) + "' has " + count + " NaN/Inf value"
          + (count == 1 ? "" : "s") + " of " + total + " (the first, " + firstValue + ", at flat index "
          + firstIndex + ")";
    }
  }

  /** Every floating-point initializer with NaN or infinite values, in graph order. */
  public static List<NonFinite> nonFinite(Graph g) {
    List<NonFinite> out = new ArrayList<>();
    for (Map.Entry<String, Tensor> e : g.initializers().entrySet()) {
      Tensor t = e.getValue();
      if (!isFloat(t.dtype())) {
        continue;
      }
      long n = t.numElements();
      long bad = 0;
      long first = -1;
      double firstValue = 0;
      for (int i = 0; i < n; i++) {
        double v = t.getDouble(i);
        if (!Double.isFinite(v)) {
          if (bad++ == 0) {
            first = i;
            firstValue = v;
          }
        }
      }
      if (bad > 0) {
        out.add(new NonFinite(e.getKey(), bad, n, first, firstValue));
      }
    }
    return out;
  }

  /** Refuses a graph with non-finite weights for {@code why} ("target 'x86-int8' quantizes to int8"). */
  public static void requireFinite(Graph g, String why) {
    List<NonFinite> bad = nonFinite(g);
    if (!bad.isEmpty()) {
      throw new BadInputException(bad.get(0).describe()
          + (bad.size() > 1 ? " (and " + (bad.size() - 1) + " more initializers)" : "") + "; " + why
          + ", which needs finite weights");
    }
  }

  /** A one-line warning for float targets, or null when every weight is finite. */
  public static String warning(Graph g) {
    List<NonFinite> bad = nonFinite(g);
    if (bad.isEmpty()) {
      return null;
    }
    return "warning: " + bad.get(0).describe() + (bad.size() > 1 ? " (and " + (bad.size() - 1)
        + " more initializers)" : "") + "; outputs that depend on them will be NaN/Inf";
  }

  private static boolean isFloat(DType t) {
    return t == DType.FLOAT || t == DType.DOUBLE || t == DType.FLOAT16 || t == DType.BFLOAT16;
  }
}
