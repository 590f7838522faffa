package dev.hwc.compiler.prune;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;

/**
 * Parameters and non-zeros of a graph's constants, and of its prunable weights alone.
 *
 * @param parameters elements of every float initializer
 * @param nonZeros of those, the ones not exactly zero
 * @param weightParameters elements of the {@linkplain PrunableWeights prunable weights}
 * @param weightNonZeros of those, the ones not exactly zero
 */
public record Sparsity(long parameters, long nonZeros, long weightParameters, long weightNonZeros) {

  public static Sparsity of(Graph g) {
    long p = 0;
    long nz = 0;
    for (Tensor t : g.initializers().values()) {
      if (t.dtype().isFloat()) {
        p += t.numElements();
        nz += nonZeros(t);
      }
    }
    long wp = 0;
    long wnz = 0;
    for (PrunableWeights.Weight w : PrunableWeights.of(g)) {
      wp += w.tensor().numElements();
      wnz += nonZeros(w.tensor());
    }
    return new Sparsity(p, nz, wp, wnz);
  }

  /** Zeros among the prunable weights, 0..1. */
  public double weightSparsity() {
    return weightParameters == 0 ? 0 : 1 - (double) weightNonZeros / weightParameters;
  }

  static long nonZeros(Tensor t) {
    long n = 0;
    for (double d : t.toDoubles()) {
      if (d != 0) {
        n++;
      }
    }
    return n;
  }
}
